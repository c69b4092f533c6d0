/// Why a secret could not be hashed or a stored hash could not be checked.
///
/// A wrong secret is not an error: ``PasswordHasher/verify(_:against:)`` answers ``Verification/mismatch``.
/// No case ever carries the secret.
public enum HashingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The secret is longer than the bound for its kind: a 1 MB "password" is an attack, not a password.
    case secretTooLong(maximum: Int)
    /// The secret is empty.
    case emptySecret
    /// A parameter is outside the range Deadbolt accepts.
    case parameterOutOfRange(name: String, value: Int, range: ClosedRange<Int>)
    /// The stored hash is not a well-formed string of any format Deadbolt reads; `reason` says what is wrong.
    case malformedHash(reason: String)
    /// The stored hash is well formed but names an algorithm Deadbolt does not implement.
    case unsupportedAlgorithm(String)
    /// A PIN hasher was built without a pepper and without the explicit opt-out.
    case pepperRequired
    /// The stored hash names a pepper key id that the keyring does not hold.
    case unknownPepperKey(id: String)
    /// The stored hash was made with a pepper, but this hasher has no keyring.
    case noKeyring
    /// A PIN hasher with a pepper keyring was given a stored hash that names no pepper key (a PHC string without
    /// `keyid=`, a passlib or Django hash). Refused rather than verified: such a hash may have been planted by
    /// someone who can write the database. A hasher built with `allowUnpepperedPINs: true` verifies it, to migrate.
    case unpepperedPINHash
    /// A pepper key is shorter than ``PepperKey/minimumLength`` or its id is not a valid key id.
    case invalidPepperKey(reason: String)
    /// The hashing pool is at its memory budget and the request waited past its deadline; try again later.
    case overloaded
    /// One hash alone needs more memory than the pool's whole budget: it could never run.
    case exceedsMemoryBudget(requiredBytes: Int, budgetBytes: Int)
    /// libargon2 or libcrypto reported a failure.
    case backendFailure(String)
    /// The system random generator failed while making a salt.
    case randomUnavailable

    public var description: String {
        switch self {
        case .secretTooLong(let maximum): "the secret is longer than \(maximum) bytes"
        case .emptySecret: "the secret is empty"
        case .parameterOutOfRange(let name, let value, let range):
            "\(name) \(value) is out of range: expected \(range.lowerBound) to \(range.upperBound)"
        case .malformedHash(let reason): "malformed hash string: \(reason)"
        case .unsupportedAlgorithm(let name): "unsupported hash algorithm '\(name)'"
        case .pepperRequired:
            "hashing PINs requires a pepper keyring (a 6-digit PIN falls to an offline search in hours without one); "
                + "pass a keyring or opt out explicitly"
        case .unknownPepperKey(let id): "the pepper keyring has no key with id '\(id)'"
        case .noKeyring: "the hash was made with a pepper, but no pepper keyring is configured"
        case .unpepperedPINHash:
            "the stored PIN hash names no pepper key (no keyid=), so it is refused: a PIN hasher with a pepper keyring "
                + "verifies only peppered hashes; to migrate unpeppered PIN hashes, verify with a hasher built with "
                + "allowUnpepperedPINs: true and store the rehash"
        case .invalidPepperKey(let reason): "invalid pepper key: \(reason)"
        case .overloaded: "the hashing pool is at its memory budget; try again later"
        case .exceedsMemoryBudget(let required, let budget):
            "one hash needs \(required) bytes, more than the hashing pool's whole budget of \(budget) bytes"
        case .backendFailure(let message): message
        case .randomUnavailable: "the system random generator is unavailable"
        }
    }
}
