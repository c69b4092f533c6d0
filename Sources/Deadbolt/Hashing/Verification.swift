/// The answer to ``PasswordHasher/verify(_:against:)``. A wrong secret is an answer, not an error.
public enum Verification: Sendable, Equatable {
    /// The secret matches and the hash is up to date.
    case matched
    /// The secret matches, but the hash was made with another algorithm, weaker parameters, a retired or no
    /// pepper, or another tool's format: hash the secret again now, while you have it, and store the new hash.
    case matchedNeedsRehash
    /// The secret does not match.
    case mismatch

    /// Whether the secret matched.
    public var isMatch: Bool { self != .mismatch }
}
