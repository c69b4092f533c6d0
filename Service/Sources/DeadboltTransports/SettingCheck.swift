#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Deadbolt

/// Checks shared by the transports' configurations, so each setting is refused at start with the same words.
enum SettingCheck {
    /// Refuses an empty value, a control character (CR and LF included, which would inject protocol lines) or more
    /// than `maximumLength` bytes.
    static func text(_ value: String, setting: String, maximumLength: Int) throws(TransportConfigurationError) {
        guard !value.isEmpty else { throw .malformed(setting: setting, expected: "a value") }
        guard value.utf8.count <= maximumLength else { throw .tooLong(setting: setting, limit: maximumLength) }
        guard value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
            throw .controlCharacter(setting: setting)
        }
    }

    /// A host name (RFC 1123 labels), an IPv4 address, or an IPv6 address in brackets.
    static func host(_ value: String, setting: String) throws(TransportConfigurationError) {
        try text(value, setting: setting, maximumLength: 253)
        let bytes = Array(value.utf8)
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(value.dropFirst().dropLast()), &address) == 1 else {
                throw .malformed(setting: setting, expected: "an IPv6 address inside the brackets")
            }
            return
        }
        guard MailAddress.isHostName(bytes[...]) else {
            throw .malformed(setting: setting, expected: "a host name, an IPv4 address, or an IPv6 address in brackets")
        }
    }

    static func port(_ value: Int, setting: String) throws(TransportConfigurationError) {
        guard (1...65_535).contains(value) else { throw .outOfRange(setting: setting, range: "1...65535") }
    }

    /// A timeout between 1 ms and 10 minutes, in whole milliseconds.
    static func milliseconds(_ value: Duration, setting: String) throws(TransportConfigurationError) -> Int {
        let milliseconds = value.components.seconds * 1000 + value.components.attoseconds / 1_000_000_000_000_000
        guard (1...600_000).contains(milliseconds) else { throw .outOfRange(setting: setting, range: "1 ms...10 min") }
        return Int(milliseconds)
    }

    /// A file the process can read (a CA bundle), checked at start rather than at the first message.
    static func readableFile(_ path: String, setting: String) throws(TransportConfigurationError) {
        try text(path, setting: setting, maximumLength: 4096)
        guard access(path, R_OK) == 0 else {
            throw .malformed(setting: setting, expected: "a readable file (errno \(errno))")
        }
    }
}

/// A NUL-terminated copy of secret bytes for a C call (a password, an `Authorization` header line), wiped when the
/// call returns. libcurl keeps its own copy until its handle is cleaned up; that copy is out of our reach.
func withWipedCString<Result>(_ secret: SecretBytes, _ body: (UnsafeBufferPointer<CChar>) -> Result) -> Result {
    var bytes = secret.withUnsafeBytes { [UInt8]($0) }
    bytes.append(0)
    defer { SecretBytes.wipe(&bytes) }
    return bytes.withUnsafeBufferPointer { buffer in buffer.withMemoryRebound(to: CChar.self) { body($0) } }
}
