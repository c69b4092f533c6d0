extension Argon2.Parameters {
    // OWASP Password Storage Cheat Sheet, "Argon2id": five equivalent configurations that trade memory for passes
    // (cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html, revision of May 2023 and later).

    /// OWASP: Argon2id, m = 47104 KiB (46 MiB), t = 1, p = 1.
    public static let owasp46MiB = Argon2.Parameters(memoryKiB: 47104, iterations: 1, parallelism: 1)
    /// OWASP's headline minimum: Argon2id, m = 19456 KiB (19 MiB), t = 2, p = 1. Deadbolt's default.
    public static let owasp19MiB = Argon2.Parameters(memoryKiB: 19456, iterations: 2, parallelism: 1)
    /// OWASP: Argon2id, m = 12288 KiB (12 MiB), t = 3, p = 1.
    public static let owasp12MiB = Argon2.Parameters(memoryKiB: 12288, iterations: 3, parallelism: 1)
    /// OWASP: Argon2id, m = 9216 KiB (9 MiB), t = 4, p = 1.
    public static let owasp9MiB = Argon2.Parameters(memoryKiB: 9216, iterations: 4, parallelism: 1)
    /// OWASP: Argon2id, m = 7168 KiB (7 MiB), t = 5, p = 1.
    public static let owasp7MiB = Argon2.Parameters(memoryKiB: 7168, iterations: 5, parallelism: 1)

    /// RFC 9106 §4, first recommended option: Argon2id, t = 1, p = 4, m = 2 GiB. For dedicated hashing hosts.
    public static let rfc9106FirstRecommended = Argon2.Parameters(memoryKiB: 2 * 1024 * 1024, iterations: 1, parallelism: 4)
    /// RFC 9106 §4, second recommended option (memory-constrained): Argon2id, t = 3, p = 4, m = 64 MiB.
    public static let rfc9106SecondRecommended = Argon2.Parameters(memoryKiB: 64 * 1024, iterations: 3, parallelism: 4)
}

extension PBKDF2.Parameters {
    // OWASP Password Storage Cheat Sheet, "PBKDF2" (revision of May 2023): for FIPS-140 settings only; prefer Argon2id.

    /// OWASP: PBKDF2-HMAC-SHA256 with 600,000 iterations.
    public static let owaspSHA256 = PBKDF2.Parameters(hash: .sha256, iterations: 600_000)
    /// OWASP: PBKDF2-HMAC-SHA512 with 210,000 iterations.
    public static let owaspSHA512 = PBKDF2.Parameters(hash: .sha512, iterations: 210_000)
    /// OWASP: PBKDF2-HMAC-SHA1 with 1,300,000 iterations, for legacy systems only.
    public static let owaspSHA1Legacy = PBKDF2.Parameters(hash: .sha1, iterations: 1_300_000)
}

/// The algorithm and parameters new hashes get: the hashing policy.
public enum HashAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// Argon2 (RFC 9106) with these parameters.
    case argon2(Argon2.Parameters)
    /// PBKDF2 (RFC 8018) with these parameters, where FIPS 140 rules out Argon2.
    case pbkdf2(PBKDF2.Parameters)

    /// Deadbolt's default for PINs and passwords: Argon2id at OWASP's m = 19 MiB, t = 2, p = 1, always with a pepper
    /// for PINs.
    public static let standard = HashAlgorithm.argon2(.owasp19MiB)

    /// The memory one hash holds while it runs, which the ``HashingPool`` budgets.
    public var memoryBytes: Int {
        switch self {
        case .argon2(let parameters): parameters.memoryBytes
        case .pbkdf2: 0
        }
    }

    public var description: String {
        switch self {
        case .argon2(let parameters): parameters.description
        case .pbkdf2(let parameters): "pbkdf2-\(parameters.hash.phcSuffix) i=\(parameters.iterations)"
        }
    }

    /// Checks every parameter.
    /// - Throws: ``HashingError/parameterOutOfRange(name:value:range:)``.
    public func validate() throws {
        switch self {
        case .argon2(let parameters):
            try parameters.validate()
            guard parameters.version == .v13 else {
                throw HashingError.parameterOutOfRange(name: "version", value: Int(parameters.version.rawValue), range: 0x13...0x13)
            }
        case .pbkdf2(let parameters):
            try Argon2.check("iterations", Int(parameters.iterations), 1...Int(PBKDF2.maximumIterations))
            try Argon2.check("salt length", parameters.saltLength, 16...PBKDF2.maximumSaltLength)
            try Argon2.check("key length", parameters.keyLength, 16...PBKDF2.maximumKeyLength)
        }
    }
}
