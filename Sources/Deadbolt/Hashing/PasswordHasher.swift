/// Hashes and verifies login PINs and passwords: the one entry point a service needs.
///
/// ```swift
/// let keyring = try PepperKeyring(current: PepperKey(id: "k2026", secret: pepperBytes))
/// let pins = try PasswordHasher(for: .pin, keyring: keyring)
/// let stored = try await pins.hash("482913")
/// switch try await pins.verify("482913", against: stored) {
/// case .matched: signIn()
/// case .matchedNeedsRehash: store(try await pins.hash("482913")); signIn()
/// case .mismatch: refuse()
/// }
/// ```
///
/// It makes the salt, picks the pepper, writes the PHC string, compares in constant time, and runs every hash on a
/// ``HashingPool`` (off the caller's executor, within a memory budget). It refuses to hash PINs without a pepper
/// unless told explicitly: a 6-digit PIN has a million values, and an unpeppered hash of one falls to an offline
/// search in hours.
///
/// For the same reason a PIN hasher with a keyring refuses to verify a stored hash that names no pepper key (a PHC
/// string without `keyid=`, or a passlib or Django hash, which have none): it throws
/// ``HashingError/unpepperedPINHash``. Otherwise anyone who can write one row of the database could plant a PIN
/// hash that needs no pepper, computed offline for a PIN they chose.
///
/// ## Migrating an unpeppered PIN base
///
/// PINs hashed before a pepper was introduced (or imported from another tool) are carried over at sign-in. Build
/// the PIN hasher with the keyring *and* the explicit opt-out, `allowUnpepperedPINs: true`: it verifies an
/// unpeppered hash, answers ``Verification/matchedNeedsRehash``, and the caller stores ``hash(_:)-(String)``'s
/// peppered result. Once no unpeppered hash is left (``needsRehash(_:)`` tells which are), drop the opt-out, so
/// that a planted unpeppered hash is refused again. Until then the opt-out accepts planted hashes too, so keep
/// that window short, and consider forcing a PIN reset for accounts that have not signed in by its end.
public struct PasswordHasher: Sendable {
    /// What is being hashed, which sets its length bound and whether a pepper is required.
    public enum SecretKind: Sendable, Equatable {
        /// A short numeric login PIN: at most 64 bytes, pepper required.
        case pin
        /// A password: at most 1024 bytes.
        case password

        /// The longest secret of this kind accepted, in UTF-8 bytes.
        public var maximumLength: Int { self == .pin ? 64 : 1024 }
    }

    /// What this hasher hashes.
    public let kind: SecretKind
    /// The algorithm and parameters of new hashes; stored hashes that differ need a rehash.
    public let algorithm: HashAlgorithm
    /// The pepper keys, or `nil` for unpeppered hashes.
    public let keyring: PepperKeyring?
    /// Whether this PIN hasher was built with the explicit opt-out: it may then hash without a keyring, and
    /// verifies stored PIN hashes that name no pepper key (answering ``Verification/matchedNeedsRehash`` when it
    /// holds a keyring). Without it a PIN hasher refuses them (``HashingError/unpepperedPINHash``).
    public let allowUnpepperedPINs: Bool
    /// Argon2's associated data X for new hashes (written as `data=`), or empty.
    public let associatedData: [UInt8]
    /// Where the hashes run.
    public let pool: HashingPool

    /// A hasher.
    /// - Parameters:
    ///   - kind: PINs or passwords.
    ///   - algorithm: the policy for new hashes; ``HashAlgorithm/standard`` by default.
    ///   - keyring: the pepper keys. Required for PINs unless `allowUnpepperedPINs` is set.
    ///   - allowUnpepperedPINs: the explicit opt-out of the pepper for PINs: hashing without a keyring, and
    ///     verifying stored PIN hashes that name no pepper key (to migrate them; see the type's documentation).
    ///   - associatedData: Argon2 associated data for new hashes (at most 64 bytes), or empty.
    ///   - pool: where hashes run; ``HashingPool/shared`` by default.
    /// - Throws: ``HashingError/pepperRequired`` for PINs without a keyring, or
    ///   ``HashingError/parameterOutOfRange(name:value:range:)`` for an invalid algorithm.
    public init(
        for kind: SecretKind, algorithm: HashAlgorithm = .standard, keyring: PepperKeyring?,
        allowUnpepperedPINs: Bool = false, associatedData: [UInt8] = [], pool: HashingPool = .shared
    ) throws {
        guard kind == .password || keyring != nil || allowUnpepperedPINs else { throw HashingError.pepperRequired }
        try algorithm.validate()
        try Argon2.check("associated data length", associatedData.count, 0...64)
        if case .pbkdf2 = algorithm, !associatedData.isEmpty {
            throw HashingError.parameterOutOfRange(name: "associated data length (PBKDF2 has none)", value: associatedData.count, range: 0...0)
        }
        self.kind = kind
        self.algorithm = algorithm
        self.keyring = keyring
        self.allowUnpepperedPINs = allowUnpepperedPINs
        self.associatedData = associatedData
        self.pool = pool
    }

    /// Hashes `secret` under the current policy and pepper, with a fresh random salt.
    /// - Returns: the PHC string to store.
    /// - Throws: ``HashingError`` (`emptySecret`, `secretTooLong`, `overloaded`, ...).
    public func hash(_ secret: SecretBytes) async throws -> String {
        try check(secret)
        let salt: [UInt8]
        let outputLength: Int
        let stored: StoredHash.Algorithm
        switch algorithm {
        case .argon2(let parameters):
            stored = .argon2(parameters)
            outputLength = parameters.tagLength
            salt = try Self.salt(count: parameters.saltLength)
        case .pbkdf2(let parameters):
            stored = .pbkdf2(parameters)
            outputLength = parameters.keyLength
            salt = try Self.salt(count: parameters.saltLength)
        }
        let pepper = keyring?.current
        let associatedData = associatedData
        let output = try await pool.run(memoryBytes: algorithm.memoryBytes) {
            try Self.derive(
                secret: secret, salt: salt, algorithm: stored, outputLength: outputLength, pepper: pepper,
                associatedData: associatedData)
        }
        return StoredHash(
            algorithm: stored, salt: salt, output: output, pepperKeyID: pepper?.id, associatedData: associatedData
        ).encoded
    }

    /// Hashes the UTF-8 bytes of `secret`. See ``hash(_:)-(SecretBytes)``.
    public func hash(_ secret: String) async throws -> String {
        try await hash(SecretBytes(utf8: secret))
    }

    /// Checks `secret` against a stored hash in any format Deadbolt reads, in constant time.
    /// - Returns: ``Verification/matched``, ``Verification/matchedNeedsRehash`` or ``Verification/mismatch``.
    /// - Throws: ``HashingError`` when the stored string is malformed or unsupported, names a pepper key this
    ///   hasher lacks, the secret is empty or too long, or the pool is overloaded; and
    ///   ``HashingError/unpepperedPINHash`` when this PIN hasher holds a keyring, was built without
    ///   `allowUnpepperedPINs`, and the stored hash names no pepper key. Never for a wrong secret.
    public func verify(_ secret: SecretBytes, against encoded: String) async throws -> Verification {
        try check(secret)
        let stored = try StoredHash(parsing: encoded)
        // A PIN hasher without the opt-out always holds a keyring (init refuses otherwise), so a hash naming no key
        // was never made by it: refuse before any work, whatever the secret.
        if kind == .pin, !allowUnpepperedPINs, stored.pepperKeyID == nil { throw HashingError.unpepperedPINHash }
        let pepper = try pepper(for: stored)
        let memoryBytes: Int
        switch stored.algorithm {
        case .argon2(let parameters): memoryBytes = parameters.memoryBytes
        case .pbkdf2: memoryBytes = 0
        }
        let matched = try await pool.run(memoryBytes: memoryBytes) {
            var computed = try Self.derive(
                secret: secret, salt: stored.salt, algorithm: stored.algorithm, outputLength: stored.output.count,
                pepper: pepper, associatedData: stored.associatedData)
            defer { SecretBytes.wipe(&computed) }
            return ConstantTime.equals(computed, stored.output)
        }
        guard matched else { return .mismatch }
        return needsRehash(stored) ? .matchedNeedsRehash : .matched
    }

    /// Checks the UTF-8 bytes of `secret`. See ``verify(_:against:)-(SecretBytes,_)``.
    public func verify(_ secret: String, against encoded: String) async throws -> Verification {
        try await verify(SecretBytes(utf8: secret), against: encoded)
    }

    /// Whether a stored hash should be replaced by a new one under the current policy: another algorithm or
    /// format, other parameters, a shorter salt, another tag length, a pepper key other than the current one (or
    /// none), or other associated data.
    /// - Throws: ``HashingError`` when the string is malformed or unsupported.
    public func needsRehash(_ encoded: String) throws -> Bool {
        needsRehash(try StoredHash(parsing: encoded))
    }

    func needsRehash(_ stored: StoredHash) -> Bool {
        guard stored.format == .phc, stored.pepperKeyID == keyring?.current.id,
            stored.associatedData == associatedData
        else { return true }
        switch (algorithm, stored.algorithm) {
        case (.argon2(let wanted), .argon2(let found)):
            return wanted.variant != found.variant || wanted.version != found.version
                || wanted.memoryKiB != found.memoryKiB || wanted.iterations != found.iterations
                || wanted.parallelism != found.parallelism || found.saltLength < wanted.saltLength
                || found.tagLength != wanted.tagLength
        case (.pbkdf2(let wanted), .pbkdf2(let found)):
            return wanted.hash != found.hash || wanted.iterations != found.iterations
                || found.saltLength < wanted.saltLength || found.keyLength != wanted.keyLength
        default:
            return true
        }
    }

    // MARK: Internals

    private func check(_ secret: SecretBytes) throws {
        guard secret.count > 0 else { throw HashingError.emptySecret }
        guard secret.count <= kind.maximumLength else { throw HashingError.secretTooLong(maximum: kind.maximumLength) }
    }

    private func pepper(for stored: StoredHash) throws -> PepperKey? {
        guard let id = stored.pepperKeyID else { return nil }
        guard let keyring else { throw HashingError.noKeyring }
        guard let key = keyring.key(id: id) else { throw HashingError.unknownPepperKey(id: id) }
        return key
    }

    private static func salt(count: Int) throws -> [UInt8] {
        do {
            return try SecureRandom.bytes(count: count)
        } catch {
            throw HashingError.randomUnavailable
        }
    }

    /// The one derivation behind both `hash` and `verify`.
    static func derive(
        secret: SecretBytes, salt: [UInt8], algorithm: StoredHash.Algorithm, outputLength: Int, pepper: PepperKey?,
        associatedData: [UInt8]
    ) throws -> [UInt8] {
        switch algorithm {
        case .argon2(let parameters):
            // RFC 9106 §3.1: the pepper is Argon2's secret value K.
            return try Argon2.hash(
                password: secret, salt: salt, secret: pepper?.secret ?? SecretBytes([UInt8]()),
                associatedData: associatedData, parameters: parameters, tagLength: outputLength)
        case .pbkdf2(let parameters):
            guard let pepper else {
                return try PBKDF2.deriveKey(
                    password: secret, salt: salt, hash: parameters.hash, iterations: parameters.iterations,
                    keyLength: outputLength)
            }
            // PBKDF2 has no secret input: the password becomes HMAC(pepper, password) under PBKDF2's own hash.
            var peppered = try HMAC.authenticationCode(for: secret, using: pepper.secret, hash: parameters.hash)
            defer { SecretBytes.wipe(&peppered) }
            return try PBKDF2.deriveKey(
                password: peppered, salt: salt, hash: parameters.hash, iterations: parameters.iterations,
                keyLength: outputLength)
        }
    }
}
