import CDeadbolt

/// Bytes of a secret (a pepper, a PIN, an OTP key) in memory that Deadbolt owns and wipes when the last copy goes.
///
/// Copies share one buffer. The buffer is overwritten with zeros (glibc's `explicit_bzero`) on release. The type
/// prints as its length only, so a secret never reaches a log through string interpolation.
public struct SecretBytes: Sendable, ContiguousBytes, CustomStringConvertible, CustomDebugStringConvertible {
    private let storage: Storage

    /// Copies `bytes` into a new owned buffer. The caller remains responsible for wiping its own copy.
    public init(_ bytes: some ContiguousBytes) {
        storage = bytes.withUnsafeBytes { Storage(copying: $0) }
    }

    /// The UTF-8 bytes of `text`. Swift strings cannot be wiped; use this at the edge where a secret arrives.
    public init(utf8 text: String) {
        var text = text
        storage = text.withUTF8 { Storage(copying: UnsafeRawBufferPointer($0)) }
    }

    /// `count` bytes from the system CSPRNG (OpenSSL `RAND_bytes`).
    /// - Throws: ``RandomError/unavailable`` when the generator fails.
    public static func random(count: Int) throws -> SecretBytes {
        var bytes = [UInt8](repeating: 0, count: count)
        defer { SecretBytes.wipe(&bytes) }
        try SecureRandom.fill(&bytes)
        return SecretBytes(bytes)
    }

    /// The number of bytes.
    public var count: Int { storage.count }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage.buffer[0..<storage.count]))
    }

    /// A redacted text: the length, never the bytes.
    public var description: String { "SecretBytes(\(count) bytes)" }
    /// A redacted text: the length, never the bytes.
    public var debugDescription: String { description }

    /// Overwrites an array the caller owns with zeros, in a way the compiler may not remove.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { dbt_cleanse($0.baseAddress, $0.count) }
    }

    private final class Storage: @unchecked Sendable {
        // Written once in init and wiped in deinit; never mutated in between, so sharing is safe.
        let buffer: UnsafeMutableRawBufferPointer

        init(copying bytes: UnsafeRawBufferPointer) {
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
            if let source = bytes.baseAddress, bytes.count > 0 {
                buffer.baseAddress?.copyMemory(from: source, byteCount: bytes.count)
            }
            count = bytes.count
        }

        let count: Int

        deinit {
            dbt_cleanse(buffer.baseAddress, buffer.count)
            buffer.deallocate()
        }
    }
}
