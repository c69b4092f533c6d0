/// A stored password or PIN hash, parsed from any format Deadbolt reads.
///
/// Deadbolt writes two PHC forms: `$argon2id$v=19$m=…,t=…,p=…[,keyid=…][,data=…]$salt$hash` and
/// `$pbkdf2-sha256$i=…[,keyid=…]$salt$hash` (also `-sha1`, `-sha512`). It also reads what other tools wrote, so a
/// service can migrate its users: libsodium's `crypto_pwhash_str`, argon2-cffi and the reference `argon2` tool
/// (all PHC Argon2, including version 0x10 strings with no `v=`), passlib's `$pbkdf2-sha256$rounds$salt$hash`
/// (adapted base64) and Django's `pbkdf2_sha256$iterations$salt$hash`. Hashes in the last two formats always
/// need a rehash.
public struct StoredHash: Sendable, Equatable {
    /// Where a stored hash came from, which decides how it is encoded.
    public enum Format: String, Sendable, Equatable {
        /// The PHC string format, as Deadbolt, libsodium, argon2-cffi and the `argon2` tool write it.
        case phc
        /// passlib's `pbkdf2_sha1`/`pbkdf2_sha256`/`pbkdf2_sha512`: rounds without `i=`, adapted base64.
        case passlib
        /// Django's `PBKDF2PasswordHasher`/`PBKDF2SHA1PasswordHasher`: the salt is used as text, the hash is
        /// padded base64.
        case django
    }

    /// The algorithm and its parameters.
    public enum Algorithm: Sendable, Equatable {
        /// Argon2 with these parameters (their salt and tag lengths are the stored ones).
        case argon2(Argon2.Parameters)
        /// PBKDF2 with these parameters (their salt and key lengths are the stored ones).
        case pbkdf2(PBKDF2.Parameters)
    }

    /// The algorithm and parameters the hash was made with.
    public var algorithm: Algorithm
    /// The encoding it was stored in.
    public var format: Format
    /// The salt.
    public var salt: [UInt8]
    /// The hash output (Argon2's tag, PBKDF2's derived key).
    public var output: [UInt8]
    /// The id of the pepper key it was made under, or `nil` for an unpeppered hash.
    public var pepperKeyID: String?
    /// Argon2's associated data X (`data=`), or empty.
    public var associatedData: [UInt8]

    /// A stored hash from its parts, to be written in ``Format/phc``.
    public init(algorithm: Algorithm, salt: [UInt8], output: [UInt8], pepperKeyID: String?, associatedData: [UInt8] = []) {
        self.algorithm = algorithm
        self.format = .phc
        self.salt = salt
        self.output = output
        self.pepperKeyID = pepperKeyID
        self.associatedData = associatedData
    }

    /// Parses a stored hash in any format Deadbolt reads.
    /// - Throws: ``HashingError/malformedHash(reason:)`` when it is not well formed, or
    ///   ``HashingError/unsupportedAlgorithm(_:)`` when it is a well-formed string of an algorithm Deadbolt lacks.
    public init(parsing text: String) throws {
        guard text.utf8.count <= PHCString.maximumLength else {
            throw HashingError.malformedHash(reason: "longer than \(PHCString.maximumLength) bytes")
        }
        if text.hasPrefix("pbkdf2_") {
            self = try Self.parseDjango(text)
            return
        }
        // passlib writes the rounds as a bare decimal field where PHC has `i=`: tell them apart before parsing.
        let fields = text.split(separator: "$", maxSplits: 3, omittingEmptySubsequences: false)
        if fields.count >= 3, fields[1].hasPrefix("pbkdf2"), !fields[2].isEmpty,
            fields[2].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        {
            self = try Self.parsePasslib(text)
            return
        }
        let phc = try PHCString(parsing: text)
        switch phc.id {
        case "argon2d", "argon2i", "argon2id":
            self = try Self.parseArgon2(phc)
        case "pbkdf2-sha1", "pbkdf2-sha256", "pbkdf2-sha512":
            self = try Self.parsePBKDF2(phc)
        default:
            throw HashingError.unsupportedAlgorithm(phc.id)
        }
    }

    /// The canonical PHC text of this hash (Deadbolt's own form).
    public var encoded: String {
        switch algorithm {
        case .argon2(let parameters):
            var list = [
                PHCString.Parameter(name: "m", value: String(parameters.memoryKiB)),
                PHCString.Parameter(name: "t", value: String(parameters.iterations)),
                PHCString.Parameter(name: "p", value: String(parameters.parallelism)),
            ]
            if let pepperKeyID { list.append(.init(name: "keyid", value: pepperKeyID)) }
            if !associatedData.isEmpty { list.append(.init(name: "data", value: Base64Dialect.phc.encode(associatedData))) }
            return PHCString(
                id: parameters.variant.rawValue, version: parameters.version.rawValue, parameters: list, salt: salt,
                hash: output
            ).description
        case .pbkdf2(let parameters):
            var list = [PHCString.Parameter(name: "i", value: String(parameters.iterations))]
            if let pepperKeyID { list.append(.init(name: "keyid", value: pepperKeyID)) }
            return PHCString(
                id: "pbkdf2-" + parameters.hash.phcSuffix, parameters: list, salt: salt, hash: output
            ).description
        }
    }

    // MARK: Argon2

    private static func parseArgon2(_ phc: PHCString) throws -> StoredHash {
        guard let variant = Argon2.Variant(rawValue: phc.id) else { throw HashingError.unsupportedAlgorithm(phc.id) }
        // libargon2 reads a string with no `v=` as version 0x10, as it wrote them before 2016.
        let version: Argon2.Version
        switch phc.version {
        case nil: version = .v10
        case let value?:
            guard let known = Argon2.Version(rawValue: value) else {
                throw HashingError.malformedHash(reason: "Argon2 version \(value) is neither 16 nor 19")
            }
            version = known
        }
        let names = phc.parameters.map(\.name)
        let allowed = [["m", "t", "p"], ["m", "t", "p", "keyid"], ["m", "t", "p", "data"], ["m", "t", "p", "keyid", "data"]]
        guard allowed.contains(names) else {
            throw HashingError.malformedHash(reason: "Argon2 parameters must be m, t, p[, keyid][, data] in that order")
        }
        let memory = try PHCString.decimal(Substring(phc.parameters[0].value), name: "m")
        let iterations = try PHCString.decimal(Substring(phc.parameters[1].value), name: "t")
        let parallelism = try PHCString.decimal(Substring(phc.parameters[2].value), name: "p")
        let keyID = try pepperKeyID(in: phc)
        var associatedData: [UInt8] = []
        if let data = phc.parameter("data") {
            guard let decoded = Base64Dialect.phc.decode(data), !decoded.isEmpty else {
                throw HashingError.malformedHash(reason: "data is not canonical unpadded base64")
            }
            associatedData = decoded
        }
        guard let salt = phc.salt, let tag = phc.hash else {
            throw HashingError.malformedHash(reason: "an Argon2 hash needs both a salt and a hash")
        }
        let parameters = Argon2.Parameters(
            variant: variant, version: version, memoryKiB: memory, iterations: iterations, parallelism: parallelism,
            saltLength: salt.count, tagLength: tag.count)
        do {
            try parameters.validate()
        } catch HashingError.parameterOutOfRange(let name, let value, let range) {
            throw HashingError.malformedHash(reason: "\(name) \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        var stored = StoredHash(
            algorithm: .argon2(parameters), salt: salt, output: tag, pepperKeyID: keyID, associatedData: associatedData)
        stored.format = .phc
        return stored
    }

    private static func pepperKeyID(in phc: PHCString) throws -> String? {
        guard let id = phc.parameter("keyid") else { return nil }
        guard PepperKey.isValidID(id) else {
            throw HashingError.malformedHash(reason: "keyid must be 1 to \(PepperKey.maximumIDLength) letters or digits")
        }
        return id
    }

    // MARK: PBKDF2

    private static func parsePBKDF2(_ phc: PHCString) throws -> StoredHash {
        guard let hash = HashFunction(phcID: phc.id) else { throw HashingError.unsupportedAlgorithm(phc.id) }
        guard phc.version == nil else { throw HashingError.malformedHash(reason: "PBKDF2 takes no version") }
        let names = phc.parameters.map(\.name)
        guard names == ["i"] || names == ["i", "keyid"] else {
            throw HashingError.malformedHash(reason: "PBKDF2 parameters must be i[, keyid] in that order")
        }
        let iterations = try PHCString.decimal(Substring(phc.parameters[0].value), name: "i")
        let keyID = try pepperKeyID(in: phc)
        guard let salt = phc.salt, let key = phc.hash else {
            throw HashingError.malformedHash(reason: "a PBKDF2 hash needs both a salt and a hash")
        }
        return try pbkdf2(hash: hash, iterations: iterations, salt: salt, key: key, keyID: keyID, format: .phc)
    }

    private static func parsePasslib(_ text: String) throws -> StoredHash {
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty else {
            throw HashingError.malformedHash(reason: "passlib PBKDF2 hashes have the form $pbkdf2-sha256$rounds$salt$hash")
        }
        guard let hash = HashFunction(phcID: String(fields[1])) else { throw HashingError.unsupportedAlgorithm(String(fields[1])) }
        let iterations = try PHCString.decimal(fields[2], name: "rounds")
        guard let salt = Base64Dialect.passlib.decode(fields[3]), let key = Base64Dialect.passlib.decode(fields[4]) else {
            throw HashingError.malformedHash(reason: "passlib salt or hash is not adapted base64")
        }
        return try pbkdf2(hash: hash, iterations: iterations, salt: salt, key: key, keyID: nil, format: .passlib)
    }

    private static func parseDjango(_ text: String) throws -> StoredHash {
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4 else {
            throw HashingError.malformedHash(reason: "Django PBKDF2 hashes have the form pbkdf2_sha256$iterations$salt$hash")
        }
        let hash: HashFunction
        switch fields[0] {
        case "pbkdf2_sha256": hash = .sha256
        case "pbkdf2_sha1": hash = .sha1
        default: throw HashingError.unsupportedAlgorithm(String(fields[0]))
        }
        let iterations = try PHCString.decimal(fields[1], name: "iterations")
        // Django feeds the salt to PBKDF2 as the text it stores (django.contrib.auth.hashers.PBKDF2PasswordHasher).
        let salt = Array(fields[2].utf8)
        guard !salt.isEmpty, salt.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "$") }) else {
            throw HashingError.malformedHash(reason: "Django salt must be printable ASCII")
        }
        guard let key = Base64Dialect.standard.decode(fields[3]) else {
            throw HashingError.malformedHash(reason: "Django hash is not padded base64")
        }
        return try pbkdf2(hash: hash, iterations: iterations, salt: salt, key: key, keyID: nil, format: .django)
    }

    private static func pbkdf2(
        hash: HashFunction, iterations: UInt32, salt: [UInt8], key: [UInt8], keyID: String?, format: Format
    ) throws -> StoredHash {
        guard iterations >= 1, iterations <= PBKDF2.maximumIterations else {
            throw HashingError.malformedHash(reason: "PBKDF2 iterations must be 1 to \(PBKDF2.maximumIterations)")
        }
        guard salt.count >= 1, salt.count <= PBKDF2.maximumSaltLength else {
            throw HashingError.malformedHash(reason: "PBKDF2 salt must be 1 to \(PBKDF2.maximumSaltLength) bytes")
        }
        guard key.count >= 8, key.count <= PBKDF2.maximumKeyLength else {
            throw HashingError.malformedHash(reason: "PBKDF2 hash must be 8 to \(PBKDF2.maximumKeyLength) bytes")
        }
        var stored = StoredHash(
            algorithm: .pbkdf2(.init(hash: hash, iterations: iterations, saltLength: salt.count, keyLength: key.count)),
            salt: salt, output: key, pepperKeyID: keyID)
        stored.format = format
        return stored
    }
}

extension HashFunction {
    /// The suffix in PHC and passlib identifiers: `pbkdf2-sha256`.
    var phcSuffix: String {
        switch self {
        case .sha1: "sha1"
        case .sha256: "sha256"
        case .sha512: "sha512"
        }
    }

    /// The hash a PHC or passlib PBKDF2 identifier names (passlib's bare `pbkdf2` is SHA-1).
    init?(phcID: String) {
        switch phcID {
        case "pbkdf2", "pbkdf2-sha1": self = .sha1
        case "pbkdf2-sha256": self = .sha256
        case "pbkdf2-sha512": self = .sha512
        default: return nil
        }
    }
}
