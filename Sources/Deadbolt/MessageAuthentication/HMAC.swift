import CDeadbolt

/// HMAC (RFC 2104) over one of the ``HashFunction``s, computed by OpenSSL libcrypto.
public enum HMAC {
    /// The longest message HMAC accepts here (1 MiB): Deadbolt authenticates counters, secrets and short records.
    public static let maximumMessageLength = 1 << 20
    /// The longest key HMAC accepts here (1 MiB).
    public static let maximumKeyLength = 1 << 20

    /// The HMAC of `message` under `key`.
    /// - Throws: ``MACError`` when an input is longer than its bound or libcrypto fails.
    public static func authenticationCode(
        for message: some ContiguousBytes, using key: some ContiguousBytes, hash: HashFunction
    ) throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: hash.digestSize)
        let status = key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                guard key.count <= maximumKeyLength else { return MACStatus.keyTooLong }
                guard message.count <= maximumMessageLength else { return MACStatus.messageTooLong }
                return tag.withUnsafeMutableBufferPointer { tag in
                    dbt_hmac(
                        hash.shimValue, key.bytePointer, key.count, message.bytePointer, message.count, tag.baseAddress
                    ) == 1 ? MACStatus.ok : MACStatus.failed
                }
            }
        }
        switch status {
        case .ok: return tag
        case .keyTooLong: throw MACError.keyTooLong(maximum: maximumKeyLength)
        case .messageTooLong: throw MACError.messageTooLong(maximum: maximumMessageLength)
        case .failed: throw MACError.libcryptoFailure
        }
    }

    /// Whether `tag` (possibly truncated, at least 10 bytes per RFC 2104 §5) is the HMAC of `message` under `key`,
    /// compared in constant time.
    public static func isValidAuthenticationCode(
        _ tag: some ContiguousBytes, for message: some ContiguousBytes, using key: some ContiguousBytes,
        hash: HashFunction
    ) throws -> Bool {
        var full = try authenticationCode(for: message, using: key, hash: hash)
        defer { SecretBytes.wipe(&full) }
        let tagLength = tag.withUnsafeBytes { $0.count }
        guard tagLength >= 10, tagLength <= full.count else { return false }
        return ConstantTime.equals(full[0..<tagLength], tag)
    }

    private enum MACStatus { case ok, keyTooLong, messageTooLong, failed }
}

/// Why an HMAC could not be computed.
public enum MACError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key is longer than ``HMAC/maximumKeyLength``.
    case keyTooLong(maximum: Int)
    /// The message is longer than ``HMAC/maximumMessageLength``.
    case messageTooLong(maximum: Int)
    /// OpenSSL's `HMAC()` reported failure.
    case libcryptoFailure

    public var description: String {
        switch self {
        case .keyTooLong(let maximum): "HMAC key is longer than \(maximum) bytes"
        case .messageTooLong(let maximum): "HMAC message is longer than \(maximum) bytes"
        case .libcryptoFailure: "OpenSSL libcrypto failed to compute an HMAC"
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The base address as bytes; `nil` for an empty buffer, which the shims accept with a zero length.
    var bytePointer: UnsafePointer<UInt8>? { baseAddress?.assumingMemoryBound(to: UInt8.self) }
}
