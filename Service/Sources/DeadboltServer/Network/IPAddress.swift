#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16), parsed strictly by `inet_pton`; an IPv4-mapped IPv6 address
/// (`::ffff:a.b.c.d`) is read as the IPv4 address it carries, so one client has one address whatever socket family
/// accepted it.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    public let bytes: [UInt8]

    /// The longest text accepted (an IPv6 address with an embedded IPv4 address and a zone is shorter).
    static let maximumTextLength = 64

    /// Parses dotted IPv4 or RFC 4291 IPv6 text; `nil` for anything else (names, ports, zones, brackets).
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        guard !text.isEmpty, text.utf8.count <= Self.maximumTextLength else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        bytes = Self.unmapped(all)
    }

    /// An address from its raw bytes (4 or 16); `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = Self.unmapped(bytes)
    }

    private static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
        if bytes.count == 16, Array(bytes[0..<12]) == mappedPrefix { return Array(bytes[12..<16]) }
        return bytes
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The canonical text (`inet_ntop`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "?" }
        let prefix = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: prefix, as: UTF8.self)
    }
}

/// A block of addresses in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or one address), used to decide which peers
/// are proxies whose `X-Forwarded-For` is believed.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network's first address.
    public let network: IPAddress
    /// The number of leading bits that must match.
    public let prefixLength: Int

    /// Parses `ADDRESS` or `ADDRESS/BITS`; bits beyond the prefix must be zero, so a typo such as `10.0.0.1/8` is
    /// refused rather than silently widened.
    ///
    /// - Throws: ``ConfigurationError/invalidValue(setting:reason:)`` naming `setting`.
    public init(parsing text: String, setting: String = "--trusted-proxy") throws(ConfigurationError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parts[0]) else {
            throw .invalidValue(
                setting: setting,
                reason: "'\(text.prefix(80))' is not an address or CIDR block (such as 10.0.0.0/8 or fd00::/8)")
        }
        let maximum = address.bytes.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...maximum).contains(bits), parts[1].allSatisfy(\.isASCII) else {
                throw .invalidValue(
                    setting: setting, reason: "'\(text.prefix(80))' needs a prefix length from 0 to \(maximum)")
            }
            length = bits
        }
        guard Self.hostBitsAreZero(address.bytes, prefixLength: length) else {
            throw .invalidValue(
                setting: setting, reason: "'\(text.prefix(80))' has bits set past its /\(length) prefix")
        }
        network = address
        prefixLength = length
    }

    /// Whether `address` lies in this block (never across address families).
    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for index in 0..<network.bytes.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if address.bytes[index] & mask != network.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }

    private static func hostBitsAreZero(_ bytes: [UInt8], prefixLength: Int) -> Bool {
        for index in 0..<bytes.count {
            let covered = max(0, min(8, prefixLength - index * 8))
            let hostMask = covered == 8 ? UInt8(0) : UInt8(truncatingIfNeeded: 0xff >> covered)
            if bytes[index] & hostMask != 0 { return false }
        }
        return true
    }
}
