import CDeadbolt

/// A key that seals OTP secrets at rest (AES-256-GCM), named by an id that travels with every sealed secret.
///
/// Holds 32 secret bytes, wiped on release; prints its id only.
public struct SealingKey: Sendable, CustomStringConvertible {
    /// The key's name: 1 to 32 ASCII letters, digits, `-` or `_` (it is written into every sealed secret).
    public let id: String
    let key: SecretBytes

    /// A key named `id` with 32 bytes of `key` material (from a secrets manager, or ``generate(id:)``).
    /// - Throws: ``SealedSecretError/invalidKeyID`` or ``SealedSecretError/invalidKeyLength``.
    public init(id: String, key: SecretBytes) throws {
        guard Self.isValidID(id) else { throw SealedSecretError.invalidKeyID }
        guard key.count == Int(DBT_AEAD_KEY_SIZE) else { throw SealedSecretError.invalidKeyLength }
        self.id = id
        self.key = key
    }

    /// A new random key named `id`.
    /// - Throws: ``SealedSecretError/invalidKeyID`` or ``RandomError/unavailable``.
    public static func generate(id: String) throws -> SealingKey {
        try SealingKey(id: id, key: try SecretBytes.random(count: Int(DBT_AEAD_KEY_SIZE)))
    }

    /// The id only.
    public var description: String { "SealingKey(\(id))" }

    static func isValidID(_ id: some StringProtocol) -> Bool {
        !id.isEmpty && id.utf8.count <= 32
            && id.utf8.allSatisfy {
                switch $0 {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default: false
                }
            }
    }
}

/// The result of ``SealingKeyring/unseal(_:account:)``.
public struct UnsealedSecret: Sendable {
    /// The secret.
    public let secret: SecretBytes
    /// When the secret was sealed under a retired key: the same secret sealed under the current key. Store it in
    /// place of the old text (re-sealing on use rotates keys without a batch job). `nil` under the current key.
    public let resealed: String?

    /// Whether the secret was sealed under a retired key.
    public var wasUnderRetiredKey: Bool { resealed != nil }
}

/// The keys that seal OTP secrets: one current key that seals, and retired keys that still unseal.
///
/// A sealed secret is the text `v1.<key id>.<base64(nonce ‖ ciphertext ‖ tag)>` (standard base64 alphabet, no
/// padding): AES-256-GCM (NIST SP 800-38D) under the named key, a random 96-bit nonce, and associated data binding
/// the version, the key id and the account id, so a database dump alone yields no working authenticator, and a
/// sealed secret copied to another account's row does not open.
public struct SealingKeyring: Sendable {
    /// The longest secret sealed, in bytes.
    public static let maximumSecretLength = 1024
    /// The longest account id bound, in UTF-8 bytes.
    public static let maximumAccountLength = 256
    /// The longest sealed text parsed.
    public static let maximumSealedLength = 2048

    /// The key new secrets are sealed under.
    public let current: SealingKey
    /// Keys that only unseal, during a rotation.
    public let retired: [SealingKey]

    /// A keyring.
    /// - Throws: ``SealedSecretError/duplicateKeyID`` when two keys share an id.
    public init(current: SealingKey, retired: [SealingKey] = []) throws {
        var ids: Set<String> = [current.id]
        for key in retired {
            guard ids.insert(key.id).inserted else { throw SealedSecretError.duplicateKeyID }
        }
        self.current = current
        self.retired = retired
    }

    /// Seals `secret` for `account` under the current key.
    /// - Throws: ``SealedSecretError/invalidLength`` for an empty or too long secret or account,
    ///   ``SealedSecretError/libcryptoFailure``, or ``RandomError/unavailable``.
    public func seal(_ secret: some ContiguousBytes, account: String) throws -> String {
        let length = secret.withUnsafeBytes { $0.count }
        guard length >= 1, length <= Self.maximumSecretLength else { throw SealedSecretError.invalidLength }
        let aad = try Self.associatedData(keyID: current.id, account: account)
        var payload = try SecureRandom.bytes(count: Int(DBT_AEAD_NONCE_SIZE))
        payload.append(contentsOf: [UInt8](repeating: 0, count: length + Int(DBT_AEAD_TAG_SIZE)))
        defer { SecretBytes.wipe(&payload) }
        let ok = current.key.withUnsafeBytes { key in
            secret.withUnsafeBytes { plaintext in
                payload.withUnsafeMutableBufferPointer { out in
                    guard let base = out.baseAddress else { return false }
                    let nonce = UnsafePointer(base)
                    let ciphertext = base + Int(DBT_AEAD_NONCE_SIZE)
                    return dbt_aes256gcm_seal(
                        key.bytePointer, nonce, aad, aad.count, plaintext.bytePointer, length, ciphertext,
                        ciphertext + length) == 1
                }
            }
        }
        guard ok else { throw SealedSecretError.libcryptoFailure }
        return "v1.\(current.id).\(Base64Dialect.phc.encode(payload))"
    }

    /// Unseals `sealed` for `account`, under the key its id names.
    /// - Throws: ``SealedSecretError/malformed(_:)`` for text not in the format,
    ///   ``SealedSecretError/unsupportedVersion``, ``SealedSecretError/unknownKeyID`` for a key not in this
    ///   keyring, ``SealedSecretError/authenticationFailed`` when any bit was changed or the account differs,
    ///   ``SealedSecretError/invalidLength``, ``SealedSecretError/libcryptoFailure``, ``RandomError/unavailable``.
    public func unseal(_ sealed: String, account: String) throws -> UnsealedSecret {
        guard sealed.utf8.count <= Self.maximumSealedLength else { throw SealedSecretError.malformed("too long") }
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw SealedSecretError.malformed("expected v1.<key id>.<payload>") }
        guard parts[0] == "v1" else {
            throw parts[0].first == "v" ? SealedSecretError.unsupportedVersion : SealedSecretError.malformed("no version")
        }
        guard SealingKey.isValidID(parts[1]) else { throw SealedSecretError.malformed("bad key id") }
        let keyID = String(parts[1])
        let key: SealingKey
        let isRetired: Bool
        if keyID == current.id {
            key = current
            isRetired = false
        } else if let old = retired.first(where: { $0.id == keyID }) {
            key = old
            isRetired = true
        } else {
            throw SealedSecretError.unknownKeyID
        }
        guard var payload = Base64Dialect.phc.decode(parts[2]) else {
            throw SealedSecretError.malformed("the payload is not base64")
        }
        defer { SecretBytes.wipe(&payload) }
        let overhead = Int(DBT_AEAD_NONCE_SIZE) + Int(DBT_AEAD_TAG_SIZE)
        guard payload.count > overhead, payload.count - overhead <= Self.maximumSecretLength else {
            throw SealedSecretError.malformed("the payload has a wrong length")
        }
        let length = payload.count - overhead
        let aad = try Self.associatedData(keyID: keyID, account: account)
        var plaintext = [UInt8](repeating: 0, count: length)
        defer { SecretBytes.wipe(&plaintext) }
        let ok = key.key.withUnsafeBytes { key in
            payload.withUnsafeBufferPointer { input in
                plaintext.withUnsafeMutableBufferPointer { out in
                    guard let base = input.baseAddress else { return false }
                    let ciphertext = base + Int(DBT_AEAD_NONCE_SIZE)
                    return dbt_aes256gcm_open(
                        key.bytePointer, base, aad, aad.count, ciphertext, length, ciphertext + length,
                        out.baseAddress) == 1
                }
            }
        }
        guard ok else { throw SealedSecretError.authenticationFailed }
        let secret = SecretBytes(plaintext)
        return UnsealedSecret(secret: secret, resealed: isRetired ? try seal(secret, account: account) : nil)
    }

    /// GCM's associated data: the version, the key id and the account, so none can be swapped.
    private static func associatedData(keyID: String, account: String) throws -> [UInt8] {
        guard !account.isEmpty, account.utf8.count <= maximumAccountLength else {
            throw SealedSecretError.invalidLength
        }
        return Array("deadbolt-sealed-secret.v1.\(keyID).".utf8) + Array(account.utf8)
    }
}

/// Why a secret could not be sealed or unsealed. Never carries the secret.
public enum SealedSecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not a sealed secret; the reason says which part is wrong.
    case malformed(String)
    /// The text names a format version other than `v1`.
    case unsupportedVersion
    /// The text was sealed under a key id that is not in the keyring.
    case unknownKeyID
    /// The tag does not authenticate the text for this account: it was altered, or belongs to another account.
    case authenticationFailed
    /// A key id is not 1 to 32 letters, digits, `-` or `_`.
    case invalidKeyID
    /// A sealing key is not 32 bytes.
    case invalidKeyLength
    /// Two keys in a keyring share an id.
    case duplicateKeyID
    /// The secret is empty or longer than ``SealingKeyring/maximumSecretLength``, or the account id is empty or
    /// longer than ``SealingKeyring/maximumAccountLength``.
    case invalidLength
    /// OpenSSL libcrypto failed to encrypt.
    case libcryptoFailure

    public var description: String {
        switch self {
        case .malformed(let reason): "not a sealed secret: \(reason)"
        case .unsupportedVersion: "the sealed secret has an unsupported version (expected v1)"
        case .unknownKeyID: "the sealed secret names a key that is not in the keyring"
        case .authenticationFailed: "the sealed secret does not authenticate for this account (altered or misplaced)"
        case .invalidKeyID: "a sealing key id must be 1 to 32 letters, digits, '-' or '_'"
        case .invalidKeyLength: "a sealing key must be 32 bytes"
        case .duplicateKeyID: "two sealing keys share an id"
        case .invalidLength:
            "the secret must be 1 to \(SealingKeyring.maximumSecretLength) bytes and the account id 1 to \(SealingKeyring.maximumAccountLength) bytes"
        case .libcryptoFailure: "OpenSSL libcrypto failed to seal the secret"
        }
    }
}
