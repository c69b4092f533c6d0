import CDeadbolt

/// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-1, -SHA-256 or -SHA-512 as its PRF.
public enum PBKDF2 {
    /// The parameters of one PBKDF2 derivation.
    public struct Parameters: Sendable, Hashable {
        /// The PRF's hash function.
        public var hash: HashFunction
        /// The iteration count c (RFC 8018 §4.2). At least 1, at most ``PBKDF2/maximumIterations``.
        public var iterations: UInt32
        /// The salt length in bytes that a new hash gets (at least 16; NIST SP 800-132 §5.1).
        public var saltLength: Int
        /// The derived-key length in bytes that a new hash gets; the hash's digest size by default, since more
        /// costs the defender another full run and the attacker nothing.
        public var keyLength: Int

        /// Parameters with the hash's digest size as the key length and a 16-byte salt.
        public init(hash: HashFunction, iterations: UInt32, saltLength: Int = 16, keyLength: Int? = nil) {
            self.hash = hash
            self.iterations = iterations
            self.saltLength = saltLength
            self.keyLength = keyLength ?? hash.digestSize
        }
    }

    /// The largest iteration count accepted (OpenSSL takes an `int`; 2^31 − 1 iterations take hours).
    public static let maximumIterations: UInt32 = UInt32(Int32.max)
    /// The longest derived key accepted (1 KiB).
    public static let maximumKeyLength = 1024
    /// The longest password accepted (see ``PasswordHasher/maximumSecretLength``).
    public static let maximumPasswordLength = 4096
    /// The longest salt accepted (1 KiB).
    public static let maximumSaltLength = 1024

    /// Derives `keyLength` bytes from `password` and `salt`. Runs on the calling thread: from async code, use
    /// ``PasswordHasher``, which runs it on the hashing pool.
    /// - Throws: ``HashingError`` when an input or parameter is out of range.
    public static func deriveKey(
        password: some ContiguousBytes, salt: some ContiguousBytes, hash: HashFunction, iterations: UInt32,
        keyLength: Int
    ) throws -> [UInt8] {
        guard iterations >= 1, iterations <= maximumIterations else {
            throw HashingError.parameterOutOfRange(name: "iterations", value: Int(iterations), range: 1...Int(maximumIterations))
        }
        guard keyLength >= 1, keyLength <= maximumKeyLength else {
            throw HashingError.parameterOutOfRange(name: "key length", value: keyLength, range: 1...maximumKeyLength)
        }
        var key = [UInt8](repeating: 0, count: keyLength)
        let status: Int32 = try password.withUnsafeBytes { password in
            guard password.count <= maximumPasswordLength else { throw HashingError.secretTooLong(maximum: maximumPasswordLength) }
            return try salt.withUnsafeBytes { salt in
                guard salt.count <= maximumSaltLength else {
                    throw HashingError.parameterOutOfRange(name: "salt length", value: salt.count, range: 0...maximumSaltLength)
                }
                return key.withUnsafeMutableBufferPointer { key in
                    dbt_pbkdf2(
                        hash.shimValue, password.bytePointer, password.count, salt.bytePointer, salt.count,
                        iterations, key.baseAddress, key.count)
                }
            }
        }
        guard status == 1 else { throw HashingError.backendFailure("PBKDF2 failed") }
        return key
    }
}
