/// Single-use recovery codes (NIST SP 800-63B §5.1.2, look-up secrets).
///
/// Each code is 13 symbols of ``CodeAlphabet/unambiguous`` (13 × log2 31 ≈ 64.4 bits, above the 64 bits
/// §5.1.2.1 asks), shown once grouped `XXXX-XXXX-XXXXX`, stored only as keyed hashes, and consumed atomically by
/// ``OneTimeCodeVerifier/verifyRecoveryCode(_:account:)``. Input may be lower case, with or without hyphens and
/// spaces.
public enum RecoveryCodes {
    /// Codes in a set by default.
    public static let defaultCount = 10
    /// The most codes in one set.
    public static let maximumCount = 100
    /// Symbols per code.
    public static let symbolsPerCode = 13
    /// How long a set is kept by default: ten years (a set lives until used up or replaced).
    public static let defaultLifetime = Duration.seconds(10 * 365 * 86_400)

    /// `count` new codes, formatted `XXXX-XXXX-XXXXX`, not stored anywhere.
    /// - Throws: ``OneTimeCodeError/invalidCount`` or ``RandomError/unavailable``.
    public static func generate(count: Int = defaultCount) throws -> [String] {
        guard (1...maximumCount).contains(count) else { throw OneTimeCodeError.invalidCount }
        return try (0..<count).map { _ in
            let symbols = Array(try CodeAlphabet.draw(length: symbolsPerCode, from: CodeAlphabet.unambiguous).utf8)
            return String(decoding: symbols[0..<4], as: UTF8.self) + "-" + String(decoding: symbols[4..<8], as: UTF8.self)
                + "-" + String(decoding: symbols[8...], as: UTF8.self)
        }
    }

    /// Generates a set for `account`, stores it as keyed hashes (replacing any earlier set, whose codes stop
    /// working), and returns the codes to show the user once.
    /// - Throws: ``OneTimeCodeError/invalidCount``, ``RandomError``, ``MACError`` or ``StateStoreError``.
    public static func issue(
        account: String, count: Int = defaultCount, store: any StateStore, hashingKey: CodeHashingKey,
        lifetime: Duration = defaultLifetime
    ) async throws -> [String] {
        let codes = try generate(count: count)
        let digests = try codes.map { code in
            guard let normalized = CodeAlphabet.normalize(code) else { throw OneTimeCodeError.invalidCount }
            return try digest(normalized, account: account, key: hashingKey)
        }
        try await store.putCodeSet(try setKey(account: account), digests: digests, ttl: lifetime)
        return codes
    }

    /// How many unused codes `account` has left.
    /// - Throws: ``StateStoreError``.
    public static func remaining(account: String, store: any StateStore) async throws -> Int {
        try await store.codeSetCount(try setKey(account: account))
    }

    /// The keyed digest of a recovery `code` for `account`, for a system that keeps recovery codes in its own
    /// database instead of the state store: store the digests of the codes ``generate(count:)`` made (never the
    /// codes), and find a typed code by its digest.
    ///
    /// `code` is read as ``OneTimeCodeVerifier/verifyRecoveryCode(_:account:)`` reads it (lower case, spaces and
    /// hyphens are fine), and the digest is the one ``issue(account:count:store:hashingKey:lifetime:)`` stores:
    /// HMAC-SHA256 under `hashingKey` over the account and the code, so a digest matches only for the account it
    /// was made for, and a dump of the table yields no usable code. Compare digests with ``ConstantTime/equals(_:_:)``
    /// or look them up by a unique index (a keyed digest's lookup timing gives an attacker nothing to climb), consume a
    /// match atomically (a delete that reports whether it deleted) so a code works once, and reserve an attempt in
    /// the account's second-factor budget (``OneTimeCodeVerifier/lockoutKey(account:)``) before looking, as the
    /// verifier does.
    ///
    /// - Returns: the 32-byte digest, or `nil` when `code` is not 13 symbols of ``CodeAlphabet/unambiguous``
    ///   once normalized (no code can match it).
    /// - Throws: ``MACError`` when libcrypto fails.
    public static func digest(of code: String, account: String, hashingKey: CodeHashingKey) throws -> [UInt8]? {
        guard var normalized = normalized(code) else { return nil }
        defer { SecretBytes.wipe(&normalized) }
        return try digest(normalized, account: account, key: hashingKey)
    }

    /// A typed code as compared (``CodeAlphabet``'s normalization), or `nil` when it is not 13 symbols of the
    /// alphabet: the one reading of input that verification and ``digest(of:account:hashingKey:)`` share.
    static func normalized(_ code: String) -> [UInt8]? {
        guard var normalized = CodeAlphabet.normalize(code) else { return nil }
        guard normalized.count == symbolsPerCode, normalized.allSatisfy(CodeAlphabet.unambiguous.contains) else {
            SecretBytes.wipe(&normalized)
            return nil
        }
        return normalized
    }

    static func setKey(account: String) throws -> StateKey {
        try StateKey(namespace: "recovery-codes", identifier: account)
    }

    static func digest(_ normalizedCode: [UInt8], account: String, key: CodeHashingKey) throws -> [UInt8] {
        try key.digest(domain: "deadbolt.recovery-code.v1", [Array(account.utf8), normalizedCode])
    }
}
