import Dispatch
import Testing

@testable import Deadbolt

/// The hashing pool's arenas: the same tags as without them, reused across hashes, within the memory budget, released
/// when idle, and no change to how the pool refuses work.
@Suite struct Argon2FastArenaTests {
    static let salt = [UInt8](repeating: 0x5a, count: 16)

    /// A pool that keeps idle arenas for an hour, so counts do not depend on how fast a loaded machine runs the test.
    static func pool(workers: Int, budget: Int, timeout: Duration = .seconds(120)) -> HashingPool {
        HashingPool(
            workerCount: workers, memoryBudgetBytes: budget, admissionTimeout: timeout, arenaRetention: .seconds(3600))
    }

    static func tag(_ password: UInt8, _ parameters: Argon2.Parameters, _ implementation: Argon2.Implementation)
        throws -> [UInt8]
    {
        try Argon2.hash(
            password: [password, 1, 2, 3], salt: salt, secret: [9, 9, 9], associatedData: [7],
            parameters: parameters, tagLength: 32, implementation: implementation)
    }

    @Test(arguments: Argon2.Implementation.allCases.filter(\.isAvailable))
    func hashesInAnArenaMatchHashesWithout(implementation: Argon2.Implementation) async throws {
        let pool = Self.pool(workers: 2, budget: 8 << 20)
        for (index, parameters) in [
            Argon2.Parameters(variant: .argon2id, memoryKiB: 1024, iterations: 2, parallelism: 1),
            Argon2.Parameters(variant: .argon2i, memoryKiB: 512, iterations: 1, parallelism: 2),
            Argon2.Parameters(variant: .argon2d, version: .v10, memoryKiB: 2048, iterations: 3, parallelism: 4),
        ].enumerated() {
            let expected = try Self.tag(UInt8(index), parameters, .libargon2)
            let inArena = try await pool.run(memoryBytes: parameters.memoryBytes) {
                try Self.tag(UInt8(index), parameters, implementation)
            }
            #expect(inArena == expected, "\(implementation) \(parameters)")
        }
        // Every hash really ran in an arena: the C shim counted each use.
        try await pool.settled()
        #expect(pool.idleArenas.map(\.uses).reduce(0, +) == 3)
    }

    @Test func oneWorkerReusesOneArena() async throws {
        let pool = Self.pool(workers: 1, budget: 4 << 20)
        let parameters = Argon2.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)
        var tags: Set<[UInt8]> = []
        for index in 0..<10 {
            tags.insert(
                try await pool.run(memoryBytes: parameters.memoryBytes) {
                    try Argon2.hash(password: [UInt8(index)], salt: Self.salt, parameters: parameters, tagLength: 32)
                })
        }
        #expect(tags.count == 10)
        try await pool.settled()
        let usage = pool.arenaUsage
        #expect(usage.count == 1)
        #expect(usage.bytes == parameters.memoryBytes)
        #expect(usage.reuses == 9)
        #expect(pool.idleArenas.map(\.uses) == [10])
    }

    @Test func aLargerHashReplacesASmallerIdleArenaWithinTheBudget() async throws {
        let pool = Self.pool(workers: 1, budget: 2 << 20)
        for memoryKiB: UInt32 in [512, 2048, 1024] {
            let parameters = Argon2.Parameters(memoryKiB: memoryKiB, iterations: 1, parallelism: 1)
            _ = try await pool.run(memoryBytes: parameters.memoryBytes) {
                try Argon2.hash(password: [1], salt: Self.salt, parameters: parameters, tagLength: 32)
            }
            #expect(pool.arenaUsage.bytes <= 2 << 20)
            try await pool.settled()
        }
        // The 512 KiB arena made way for the 2 MiB one, which then served the 1 MiB hash.
        #expect(pool.arenaUsage == .init(count: 1, bytes: 2 << 20, idle: 1, peakBytes: 2 << 20, reuses: 1))
    }

    @Test func aBurstNeverMapsMoreThanTheBudget() async throws {
        let budget = 3 << 20
        let pool = Self.pool(workers: 6, budget: budget)
        let sizes: [UInt32] = [256, 1024, 512, 2048, 768, 1024, 3072, 128]
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for round in 0..<4 {
                for (index, memoryKiB) in sizes.enumerated() {
                    group.addTask {
                        let parameters = Argon2.Parameters(memoryKiB: memoryKiB, iterations: 1, parallelism: 1)
                        let password = UInt8(round * sizes.count + index)
                        let tag = try await pool.run(memoryBytes: parameters.memoryBytes) {
                            try Argon2.hash(
                                password: [password], salt: Self.salt, parameters: parameters, tagLength: 32)
                        }
                        return try tag == Self.tag(password, parameters, .libargon2, plain: true)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 32)
        #expect(results.allSatisfy { $0 })
        try await pool.settled()
        let usage = pool.arenaUsage
        #expect(usage.peakBytes <= budget)
        #expect(usage.bytes <= budget)
        #expect(usage.count == usage.idle)
        #expect(pool.usage.bytesInUse == 0)
    }

    @Test func idleArenasAreReleased() async throws {
        let pool = HashingPool(
            workerCount: 1, memoryBudgetBytes: 2 << 20, admissionTimeout: .seconds(5),
            arenaRetention: .milliseconds(20))
        let parameters = Argon2.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)
        _ = try await pool.run(memoryBytes: parameters.memoryBytes) {
            try Argon2.hash(password: [1], salt: Self.salt, parameters: parameters, tagLength: 32)
        }
        // Polls the pool's state, not the clock: the test asserts that release happens, never how soon.
        var polls = 0
        while pool.arenaUsage.count > 0, polls < 10_000 {
            try await Task.sleep(for: .milliseconds(5))
            polls += 1
        }
        #expect(pool.arenaUsage.count == 0)
        #expect(pool.arenaUsage.bytes == 0)
        // And the pool still hashes afterwards, mapping afresh.
        let tag = try await pool.run(memoryBytes: parameters.memoryBytes) {
            try Argon2.hash(password: [1], salt: Self.salt, parameters: parameters, tagLength: 32)
        }
        #expect(tag == (try Self.tag(1, parameters, .libargon2, plain: true)))
    }

    @Test func aHashUnderMemoryPressureStillFailsWithOverloaded() async throws {
        let pool = Self.pool(workers: 4, budget: 2 << 20, timeout: .milliseconds(50))
        let parameters = Argon2.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)
        let gate = DispatchSemaphore(value: 0)
        // Two real hashes hold the whole budget, each in its arena, until the gate opens.
        let holders = (0..<2).map { index in
            Task {
                try await pool.run(memoryBytes: parameters.memoryBytes) {
                    let tag = try Argon2.hash(
                        password: [UInt8(index)], salt: Self.salt, parameters: parameters, tagLength: 32)
                    gate.wait()
                    return tag
                }
            }
        }
        // Admission comes before a worker starts and borrows its arena: wait until both hold one.
        while pool.usage.running < 2 || pool.arenaUsage.count < 2 || pool.arenaUsage.idle > 0 {
            try await Task.sleep(for: .milliseconds(1))
        }
        await #expect(throws: HashingError.overloaded) {
            try await pool.run(memoryBytes: parameters.memoryBytes) {
                try Argon2.hash(password: [9], salt: Self.salt, parameters: parameters, tagLength: 32)
            }
        }
        #expect(pool.arenaUsage.bytes <= 2 << 20)
        gate.signal()
        gate.signal()
        for (index, holder) in holders.enumerated() {
            #expect(try await holder.value == (try Self.tag(UInt8(index), parameters, .libargon2, plain: true)))
        }
        try await pool.settled()
        #expect(pool.arenaUsage.count == 2)
        #expect(pool.usage.bytesInUse == 0)
    }
}

extension Argon2FastArenaTests {
    /// The tag of a bare one-byte password with no secret or associated data, as the pool tests hash it.
    static func tag(
        _ password: UInt8, _ parameters: Argon2.Parameters, _ implementation: Argon2.Implementation, plain: Bool
    ) throws -> [UInt8]
    {
        try Argon2.hash(
            password: [password], salt: salt, parameters: parameters, tagLength: 32, implementation: implementation)
    }
}
