/// New OTP secrets from the system CSPRNG.
public enum OTPSecret {
    /// A new secret for `hash`: 160 bits for SHA-1 (RFC 4226 §4's recommendation), the digest size otherwise
    /// (256 bits for SHA-256, 512 for SHA-512), from OpenSSL's `RAND_bytes`.
    /// - Throws: ``RandomError/unavailable``.
    public static func generate(for hash: HashFunction = .sha1) throws -> SecretBytes {
        try SecretBytes.random(count: hash.digestSize)
    }
}
