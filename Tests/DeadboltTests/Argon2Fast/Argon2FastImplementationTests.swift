#if canImport(Glibc)
    import Glibc
#endif
import Testing

@testable import Deadbolt

/// Every Argon2 implementation this CPU can run gives libargon2's tags: on RFC 9106 §5's vectors and on random
/// parameter sets covering all variants, both versions, several lanes and every optional input.
@Suite struct Argon2FastImplementationTests {
    /// libargon2 first: it is the reference the others are held to.
    static let implementations = Argon2.Implementation.allCases.filter(\.isAvailable)

    struct Vector: Sendable, CustomTestStringConvertible {
        let variant: Argon2.Variant
        let tag: String
        var testDescription: String { "RFC 9106 \(variant.rawValue)" }
    }

    /// RFC 9106 §5.1–5.3: t = 3, m = 32 KiB, p = 4, version 0x13, password 32 × 0x01, salt 16 × 0x02, secret
    /// 8 × 0x03, associated data 12 × 0x04, 32-byte tags.
    static let vectors = [
        Vector(variant: .argon2d, tag: "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"),
        Vector(variant: .argon2i, tag: "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"),
        Vector(variant: .argon2id, tag: "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"),
    ]

    @Test(arguments: vectors, implementations)
    func reproducesTheRFCVectors(vector: Vector, implementation: Argon2.Implementation) throws {
        let parameters = Argon2.Parameters(
            variant: vector.variant, version: .v13, memoryKiB: 32, iterations: 3, parallelism: 4)
        let tag = try Argon2.hash(
            password: [UInt8](repeating: 1, count: 32), salt: [UInt8](repeating: 2, count: 16),
            secret: [UInt8](repeating: 3, count: 8), associatedData: [UInt8](repeating: 4, count: 12),
            parameters: parameters, tagLength: 32, implementation: implementation)
        #expect(Hex.encode(tag) == vector.tag)
    }

    @Test func automaticChoosesAVectorPathWhereTheCPUHasOne() {
        let choice = Argon2.Implementation.automaticChoice
        #expect(choice != .automatic)
        // The known-answer check passed for the best path this CPU supports, or automatic would be libargon2.
        if Argon2.Implementation.avx512.isAvailable {
            #expect(choice == .avx512)
        } else if Argon2.Implementation.avx2.isAvailable {
            #expect(choice == .avx2)
        } else {
            #expect(choice == .portable)
        }
    }

    @Test func aPathThisCPULacksFailsAsABackendError() throws {
        for implementation in Argon2.Implementation.allCases where !implementation.isAvailable {
            #expect(throws: HashingError.self) {
                try Argon2.hash(
                    password: [1], salt: [UInt8](repeating: 2, count: 16),
                    parameters: .init(memoryKiB: 8, iterations: 1, parallelism: 1), tagLength: 32,
                    implementation: implementation)
            }
        }
    }

    @Test(arguments: implementations.filter { $0 != .libargon2 })
    func randomParameterSetsAgreeWithLibargon2(implementation: Argon2.Implementation) throws {
        var random = SplitMix64(seed: 0x5eed_a2_9106)
        var mismatches: [String] = []
        for _ in 0..<1000 {
            let parallelism = UInt32.random(in: 1...4, using: &random)
            let parameters = Argon2.Parameters(
                variant: Argon2.Variant.allCases.randomElement(using: &random) ?? .argon2id,
                version: Bool.random(using: &random) ? .v13 : .v10,
                memoryKiB: UInt32.random(in: (8 * parallelism)...256, using: &random),
                iterations: UInt32.random(in: 1...4, using: &random), parallelism: parallelism)
            let password = random.bytes(count: Int.random(in: 0...64, using: &random))
            let salt = random.bytes(count: Int.random(in: 8...32, using: &random))
            let secret = random.bytes(count: Int.random(in: 0...32, using: &random))
            let associatedData = random.bytes(count: Int.random(in: 0...32, using: &random))
            let tagLength = Int.random(in: 4...64, using: &random)
            let reference = try Argon2.hash(
                password: password, salt: salt, secret: secret, associatedData: associatedData, parameters: parameters,
                tagLength: tagLength, implementation: .libargon2)
            let tag = try Argon2.hash(
                password: password, salt: salt, secret: secret, associatedData: associatedData,
                parameters: parameters, tagLength: tagLength, implementation: implementation)
            if tag != reference {
                mismatches.append(
                    "\(parameters) password \(password.count) salt \(salt.count) secret \(secret.count) "
                        + "ad \(associatedData.count) tag \(tagLength)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    #if os(Linux)
        // Each in a child process of its own: the choice is made once per process, at first use.
        @Test func theEnvironmentNamesTheFill() async {
            await #expect(processExitsWith: .success) {
                setenv("DEADBOLT_ARGON2_FILL", "portable", 1)
                exit(Argon2.Implementation.automaticChoice == .portable ? 0 : 1)
            }
        }

        @Test func anUnknownFillNameIsIgnored() async {
            await #expect(processExitsWith: .success) {
                setenv("DEADBOLT_ARGON2_FILL", "avx9000", 1)
                let best: Argon2.Implementation =
                    Argon2.Implementation.avx512.isAvailable ? .avx512 : Argon2.Implementation.avx2.isAvailable ? .avx2 : .portable
                exit(Argon2.Implementation.automaticChoice == best ? 0 : 1)
            }
        }
    #endif
}

/// A small deterministic generator, so a failing random case can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
