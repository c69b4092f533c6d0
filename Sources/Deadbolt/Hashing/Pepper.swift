/// A pepper: a server-side secret mixed into every hash, so that a stolen database alone cannot be searched offline.
///
/// Argon2 takes the pepper as its secret input K (RFC 9106 §3.1). PBKDF2 has no such input, so the secret first
/// becomes HMAC(pepper, secret) with PBKDF2's own hash. The key id is written into the hash (`keyid=`) so that
/// verification finds the right key after a rotation.
public struct PepperKey: Sendable, CustomStringConvertible {
    /// The key's id as written in hashes: 1 to ``maximumIDLength`` ASCII letters or digits.
    public let id: String
    /// The secret bytes.
    public let secret: SecretBytes

    /// The shortest pepper accepted: 32 bytes (256 bits), so the pepper, not the PIN, bounds an offline search.
    public static let minimumLength = 32
    /// The longest pepper accepted.
    public static let maximumLength = 1024
    /// The longest key id accepted.
    public static let maximumIDLength = 16

    /// A pepper key.
    /// - Throws: ``HashingError/invalidPepperKey(reason:)`` when the id is not 1 to 16 letters or digits, or the
    ///   secret is shorter than 32 or longer than 1024 bytes.
    public init(id: String, secret: some ContiguousBytes) throws {
        guard Self.isValidID(id) else {
            throw HashingError.invalidPepperKey(reason: "the id must be 1 to \(Self.maximumIDLength) ASCII letters or digits")
        }
        let length = secret.withUnsafeBytes { $0.count }
        guard length >= Self.minimumLength, length <= Self.maximumLength else {
            throw HashingError.invalidPepperKey(
                reason: "the secret must be \(Self.minimumLength) to \(Self.maximumLength) bytes, not \(length)")
        }
        self.id = id
        self.secret = SecretBytes(secret)
    }

    /// Whether `id` is a valid key id.
    public static func isValidID(_ id: some StringProtocol) -> Bool {
        !id.isEmpty && id.utf8.count <= maximumIDLength
            && id.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
            }
    }

    /// The id only; never the secret.
    public var description: String { "PepperKey(id: \(id))" }
}

/// The pepper keys a service holds: the current one, which every new hash uses, and retired ones, which still
/// verify old hashes (and mark them as needing a rehash under the current key).
public struct PepperKeyring: Sendable {
    /// The key new hashes are made with.
    public let current: PepperKey
    /// Keys that still verify but no longer hash.
    public let retired: [PepperKey]

    /// A keyring.
    /// - Throws: ``HashingError/invalidPepperKey(reason:)`` when two keys share an id.
    public init(current: PepperKey, retired: [PepperKey] = []) throws {
        let ids = [current.id] + retired.map(\.id)
        guard Set(ids).count == ids.count else { throw HashingError.invalidPepperKey(reason: "two keys share an id") }
        self.current = current
        self.retired = retired
    }

    /// The key with `id`, current or retired.
    public func key(id: String) -> PepperKey? {
        current.id == id ? current : retired.first { $0.id == id }
    }
}
