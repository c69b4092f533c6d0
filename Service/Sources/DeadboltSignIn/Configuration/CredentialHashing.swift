import Deadbolt

/// The seam every password and PIN hash goes through: the engine's ``Deadbolt/PasswordHasher`` conforms as is.
///
/// It exists so tests can count hash calls (a known and an unknown email must cost the same number of Argon2 runs,
/// and counting is honest where timing is not) by wrapping the production hasher.
public protocol CredentialHashing: Sendable {
    /// What the hasher hashes (its length bound).
    var kind: PasswordHasher.SecretKind { get }
    /// Hashes `secret` under the current policy.
    func hash(_ secret: SecretBytes) async throws -> String
    /// Verifies `secret` against a stored hash.
    func verify(_ secret: SecretBytes, against encoded: String) async throws -> Verification
}

extension PasswordHasher: CredentialHashing {}
