#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client's IP address, parsed: the sign-in system keys limits on it, binds step tokens to it and keeps the
/// network it belongs to (``NetworkPrefix``).
public struct NetworkAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The address's bytes: 4 for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address is kept as IPv4).
    public let bytes: [UInt8]

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (`inet_pton`), at most 45 bytes, without a zone or port.
    /// - Throws: ``SignInError/invalidInput(field:reason:)``.
    public init(_ text: String) throws {
        guard text.utf8.count <= 45, !text.isEmpty else {
            throw SignInError.invalidInput(field: "address", reason: "an IP address is at most 45 characters")
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else {
            throw SignInError.invalidInput(field: "address", reason: "not an IPv4 or IPv6 address")
        }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
        if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xff && raw[11] == 0xff {
            bytes = Array(raw[12...])
        } else {
            bytes = raw
        }
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The network the address belongs to: IPv4 /16, IPv6 /48 (``NetworkPrefix``).
    public var network: NetworkPrefix { NetworkPrefix(self) }

    /// The address in its usual text form (dotted quad, or RFC 5952 IPv6 through `inet_ntop`).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var buffer = [CChar](repeating: 0, count: 64)
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The network an address belongs to, as the sign-in system remembers where an account signed in from: the
/// first 16 bits of an IPv4 address (a /16: an ISP's regional block), the first 48 of an IPv6 address (a /48: one
/// site, RFC 6177 §2). A sign-in from a prefix never seen with a successful sign-in on the account asks for a
/// second factor. Also what account activity shows as the "approximate address".
public struct NetworkPrefix: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The prefix's text: `203.0/16` or `2001:db8:1::/48`.
    public let text: String

    /// The prefix of `address`.
    public init(_ address: NetworkAddress) {
        if address.isIPv4 {
            text = "\(address.bytes[0]).\(address.bytes[1]).0.0/16"
        } else {
            let groups = stride(from: 0, to: 6, by: 2).map { String(UInt16(address.bytes[$0]) << 8 | UInt16(address.bytes[$0 + 1]), radix: 16) }
            text = groups.joined(separator: ":") + "::/48"
        }
    }

    /// A prefix read back from storage.
    public init(stored text: String) {
        self.text = text
    }

    public var description: String { text }
}
