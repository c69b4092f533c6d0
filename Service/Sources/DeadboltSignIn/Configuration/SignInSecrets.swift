import Deadbolt

/// The server secrets of the sign-in system, from a secrets manager (never from the database): the sealing keys,
/// and one server key from which the keys for code digests, token digests, recovery-code and re-enrollment-code
/// digests and masks are derived (HMAC-SHA-256 under the server key, one label each), so a service configures two
/// secrets, not six.
///
/// Every replica must hold the same secrets. Prints nothing of them.
public struct SignInSecrets: Sendable, CustomStringConvertible {
    /// Seals TOTP secrets, the phone on file, personal facts and code-carrying messages (AES-256-GCM).
    public let sealing: SealingKeyring
    let codeHashingKey: CodeHashingKey
    let tokens: TokenDigester
    /// The key of the recovery-code digests kept in the database (``Deadbolt/RecoveryCodes/digest(of:account:hashingKey:)``).
    let recoveryCodeKey: CodeHashingKey
    let maskKey: SecretBytes
    /// The key of the re-enrollment codes' digests (``ReenrollmentCode``).
    let reenrollmentCodeKey: CodeHashingKey

    /// Secrets from the sealing keyring and a server key of 32 to 1024 bytes.
    /// - Throws: ``SignInError/misconfigured(_:)`` when the server key is shorter than 32 bytes or longer than 1024.
    public init(sealing: SealingKeyring, serverKey: SecretBytes) throws {
        guard (32...1024).contains(serverKey.count) else {
            throw SignInError.misconfigured("the server key must be 32 to 1024 bytes")
        }
        func derive(_ label: String) throws -> SecretBytes {
            var key = try HMAC.authenticationCode(for: Array("deadbolt.sign-in.\(label).v1".utf8), using: serverKey, hash: .sha256)
            defer { SecretBytes.wipe(&key) }
            return SecretBytes(key)
        }
        self.sealing = sealing
        codeHashingKey = try CodeHashingKey(try derive("code-hashing"))
        tokens = TokenDigester(key: try derive("token-digest"))
        recoveryCodeKey = try CodeHashingKey(try derive("recovery-code"))
        maskKey = try derive("mask")
        reenrollmentCodeKey = try CodeHashingKey(try derive("reenrollment-code"))
    }

    /// The ids of the sealing keys only.
    public var description: String { "SignInSecrets(sealing: \(sealing.current.id))" }
}
