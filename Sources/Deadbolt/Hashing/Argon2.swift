import CDeadbolt

/// Argon2 (RFC 9106), computed by Deadbolt's own implementation (AVX-512 or AVX2 where the CPU has them, portable C
/// elsewhere) after it reproduces RFC 9106 §5's test vectors once per process, else by libargon2. Every path gives the
/// same tags; libargon2 is the reference the tests hold the others to. The environment variable
/// `DEADBOLT_ARGON2_FILL` (`avx512`, `avx2`, `portable` or `libargon2`), read at first use, names another path
/// under the same check, for measuring it (the benchmark's AVX2 rows on an AVX-512 machine).
public enum Argon2 {
    /// The three Argon2 variants (RFC 9106 §3.4).
    public enum Variant: String, Sendable, CaseIterable, Codable {
        /// Data-dependent memory access: fastest, for settings without side-channel exposure.
        case argon2d
        /// Data-independent memory access.
        case argon2i
        /// The hybrid that RFC 9106 §4 recommends for password hashing: Deadbolt's default.
        case argon2id

        var shimValue: dbt_argon2_variant {
            switch self {
            case .argon2d: DBT_ARGON2D
            case .argon2i: DBT_ARGON2I
            case .argon2id: DBT_ARGON2ID
            }
        }
    }

    /// Argon2's two published versions. Deadbolt produces 0x13 and still verifies 0x10.
    public enum Version: UInt32, Sendable, CaseIterable, Codable {
        /// Version 1.0 (0x10), as libargon2 produced before 2016.
        case v10 = 0x10
        /// Version 1.3 (0x13, decimal 19), the one RFC 9106 specifies.
        case v13 = 0x13
    }

    /// The cost and shape of an Argon2 hash.
    public struct Parameters: Sendable, Hashable, CustomStringConvertible {
        /// The variant; Argon2id unless there is a reason.
        public var variant: Variant
        /// The version; 0x13 for every new hash.
        public var version: Version
        /// Memory m in KiB; at least 8 × ``parallelism``.
        public var memoryKiB: UInt32
        /// Passes t over the memory; at least 1.
        public var iterations: UInt32
        /// Lanes p; 1 to ``Argon2/maximumParallelism``.
        public var parallelism: UInt32
        /// Salt length in bytes for new hashes; RFC 9106 §3.1 recommends 16.
        public var saltLength: Int
        /// Tag length in bytes for new hashes; RFC 9106 §3.1 recommends 32 for password hashing.
        public var tagLength: Int

        /// Parameters with version 0x13, a 16-byte salt and a 32-byte tag unless given.
        public init(
            variant: Variant = .argon2id, version: Version = .v13, memoryKiB: UInt32, iterations: UInt32,
            parallelism: UInt32, saltLength: Int = 16, tagLength: Int = 32
        ) {
            self.variant = variant
            self.version = version
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
            self.saltLength = saltLength
            self.tagLength = tagLength
        }

        /// The bytes of memory one hash with these parameters holds while it runs.
        public var memoryBytes: Int { Int(memoryKiB) * 1024 }

        public var description: String {
            "\(variant.rawValue) v=\(version.rawValue) m=\(memoryKiB) KiB t=\(iterations) p=\(parallelism)"
        }

        /// Checks every parameter against the ranges RFC 9106 §3.1 and Deadbolt's bounds allow.
        /// - Throws: ``HashingError/parameterOutOfRange(name:value:range:)`` naming the first that is not.
        public func validate() throws {
            try Argon2.check("parallelism", Int(parallelism), 1...Int(maximumParallelism))
            try Argon2.check("memory (KiB)", Int(memoryKiB), Int(8 * parallelism)...Int(maximumMemoryKiB))
            try Argon2.check("iterations", Int(iterations), 1...Int(maximumIterations))
            try Argon2.check("salt length", saltLength, minimumSaltLength...maximumSaltLength)
            try Argon2.check("tag length", tagLength, minimumTagLength...maximumTagLength)
        }
    }

    /// The most lanes accepted (RFC 9106 allows 2^24 − 1; a server has no use for more than 255).
    public static let maximumParallelism: UInt32 = 255
    /// The most memory accepted: 4 GiB in KiB. A stored hash asking for more is refused, not run.
    public static let maximumMemoryKiB: UInt32 = 4 * 1024 * 1024
    /// The most passes accepted; a stored hash asking for more is refused, not run.
    public static let maximumIterations: UInt32 = 1 << 16
    /// The shortest salt accepted (RFC 9106 §3.1: at least 8 bytes).
    public static let minimumSaltLength = 8
    /// The longest salt a stored hash (a PHC string, new parameters) may carry. The raw function takes up to
    /// ``maximumRawLength``.
    public static let maximumSaltLength = 64
    /// The shortest tag accepted (RFC 9106 §3.1: at least 4 bytes).
    public static let minimumTagLength = 4
    /// The longest tag a stored hash (a PHC string, new parameters) may carry. The raw function makes up to
    /// ``maximumRawLength``.
    public static let maximumTagLength = 128
    /// The longest salt, secret, associated data and tag the raw function
    /// ``hash(password:salt:secret:associatedData:parameters:tagLength:)`` takes (1 KiB). RFC 9106 §3.1 allows up
    /// to 2^32 − 1 bytes; 1 KiB keeps every input bounded while covering RFC 9106's domain as implementations and
    /// published vectors use it (100- and 128-byte salts, 256-byte tags).
    public static let maximumRawLength = 1024
    /// The longest password accepted.
    public static let maximumInputLength = 4096

    /// Who computes a tag; every implementation gives the same answers (RFC 9106 §5, and libargon2's on random
    /// inputs). Internal: callers get ``automatic``; tests force each path.
    enum Implementation: Int32, CaseIterable, Sendable, CustomStringConvertible {
        /// The fastest path this CPU supports that passed the known-answer check at first use; else libargon2.
        case automatic = 0
        /// libargon2, Debian's portable reference build: the reference and the fallback.
        case libargon2 = 1
        /// Deadbolt's implementation in portable C.
        case portable = 2
        /// Deadbolt's implementation with AVX2.
        case avx2 = 3
        /// Deadbolt's implementation with AVX-512 (F, VL, BW) on 512-bit vectors.
        case avx512 = 4

        var shimValue: dbt_argon2_implementation { dbt_argon2_implementation(rawValue: UInt32(rawValue)) }

        /// Whether this CPU can run the implementation.
        var isAvailable: Bool { dbt_argon2_implementation_available(shimValue) != 0 }

        /// What ``automatic`` stands for in this process (runs the known-answer check on first use).
        static var automaticChoice: Implementation {
            Implementation(rawValue: Int32(dbt_argon2_automatic_implementation().rawValue)) ?? .libargon2
        }

        var description: String {
            switch self {
            case .automatic: "automatic"
            case .libargon2: "libargon2"
            case .portable: "portable"
            case .avx2: "AVX2"
            case .avx512: "AVX-512"
            }
        }
    }

    /// Computes an Argon2 tag with `parameters` (their salt and tag lengths are ignored: `salt` and `tagLength`
    /// rule): RFC 9106's function over its domain, with salts of 8 to ``maximumRawLength`` bytes, tags of 4 to
    /// ``maximumRawLength``, a secret and associated data of up to ``maximumRawLength``, and a password of up to
    /// ``maximumInputLength``. Stored hashes are held to the tighter bounds of ``Parameters/validate()`` where
    /// they are parsed and made, not here. Runs on the calling thread and holds `parameters.memoryBytes` while it runs: from async code, use
    /// ``PasswordHasher``, which runs it on the hashing pool within a memory budget, in memory the pool keeps
    /// mapped between hashes.
    /// - Throws: ``HashingError`` when a parameter or input is out of range, or the computation fails (no memory).
    public static func hash(
        password: some ContiguousBytes, salt: some ContiguousBytes, secret: some ContiguousBytes = [UInt8](),
        associatedData: some ContiguousBytes = [UInt8](), parameters: Parameters, tagLength: Int
    ) throws -> [UInt8] {
        try hash(
            password: password, salt: salt, secret: secret, associatedData: associatedData, parameters: parameters,
            tagLength: tagLength, implementation: .automatic)
    }

    /// ``hash(password:salt:secret:associatedData:parameters:tagLength:)`` by a chosen implementation, for tests.
    /// - Throws: ``HashingError``, including ``HashingError/backendFailure(_:)`` when this CPU cannot run it.
    static func hash(
        password: some ContiguousBytes, salt: some ContiguousBytes, secret: some ContiguousBytes = [UInt8](),
        associatedData: some ContiguousBytes = [UInt8](), parameters: Parameters, tagLength: Int,
        implementation: Implementation
    ) throws -> [UInt8] {
        try check("parallelism", Int(parameters.parallelism), 1...Int(maximumParallelism))
        try check("memory (KiB)", Int(parameters.memoryKiB), Int(8 * parameters.parallelism)...Int(maximumMemoryKiB))
        try check("iterations", Int(parameters.iterations), 1...Int(maximumIterations))
        try check("tag length", tagLength, minimumTagLength...maximumRawLength)
        var tag = [UInt8](repeating: 0, count: tagLength)
        let status: Int32 = try password.withUnsafeBytes { password in
            try salt.withUnsafeBytes { salt in
                try secret.withUnsafeBytes { secret in
                    try associatedData.withUnsafeBytes { associatedData in
                        guard password.count <= maximumInputLength else {
                            throw HashingError.secretTooLong(maximum: maximumInputLength)
                        }
                        try check("salt length", salt.count, minimumSaltLength...maximumRawLength)
                        try check("secret length", secret.count, 0...maximumRawLength)
                        try check("associated data length", associatedData.count, 0...maximumRawLength)
                        return tag.withUnsafeMutableBufferPointer { tag in
                            dbt_argon2(
                                implementation.shimValue, parameters.variant.shimValue, parameters.version.rawValue,
                                parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                password.bytePointer, password.count, salt.bytePointer, salt.count,
                                secret.bytePointer, secret.count, associatedData.bytePointer, associatedData.count,
                                tag.baseAddress, tag.count)
                        }
                    }
                }
            }
        }
        guard status == 0 else {
            throw HashingError.backendFailure("Argon2: " + String(cString: dbt_argon2_error_message(status)))
        }
        return tag
    }

    static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else { throw HashingError.parameterOutOfRange(name: name, value: value, range: range) }
    }
}
