/// Decides which address a request comes from: the socket's peer, unless that peer is a trusted proxy, in which case
/// `X-Forwarded-For` is read from the right (the nearest hop first) and the first address that is not a trusted proxy
/// is the client. A client can write anything at the left of that header, so only entries added by trusted proxies
/// are believed (the rightmost-untrusted rule, as nginx's `real_ip_recursive on`).
public struct ClientAddressResolver: Sendable {
    /// The proxies whose `X-Forwarded-For` entries are believed.
    public let trustedProxies: [AddressRange]

    /// At most this many `X-Forwarded-For` entries are read; a longer chain is cut at the left.
    static let maximumHops = 16

    /// A resolver believing `trustedProxies` (none: the peer is always the client).
    public init(trustedProxies: [AddressRange]) {
        self.trustedProxies = trustedProxies
    }

    /// The client's address, or `nil` when the peer has none (a Unix socket) and no trusted proxy named one.
    /// Entries that are not addresses end the walk: what is left of them is unverifiable, so the last trusted hop's
    /// peer is taken instead.
    public func clientAddress(peer: IPAddress?, forwardedFor headerValues: [String]) -> IPAddress? {
        guard let peer else { return nil }
        guard isTrusted(peer) else { return peer }
        let entries = headerValues.flatMap { $0.split(separator: ",") }.suffix(Self.maximumHops)
        var client = peer
        for entry in entries.reversed() {
            guard let address = IPAddress(entry.trimmingSpaces()) else { return client }
            client = address
            if !isTrusted(address) { return address }
        }
        return client
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace, RFC 9110 §5.6.3).
    func trimmingSpaces() -> Substring {
        let text = Substring(self)
        let start = text.firstIndex { $0 != " " && $0 != "\t" } ?? text.endIndex
        let end = text.lastIndex { $0 != " " && $0 != "\t" }.map { text.index(after: $0) } ?? start
        return start < end ? text[start..<end] : text[start..<start]
    }
}
