import Dispatch
import Synchronization
import Testing

@testable import Deadbolt

@Suite struct HashingPoolTests {
    @Test func burstLargerThanTheBudgetNeverExceedsIt() async throws {
        // 24 real Argon2 hashes of 1 MiB each against a 3 MiB budget: at most three run at once.
        let pool = HashingPool(workerCount: 8, memoryBudgetBytes: 3 << 20, admissionTimeout: .seconds(120))
        let parameters = Argon2.Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)
        let salt = [UInt8](repeating: 7, count: 16)
        let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for index in 0..<24 {
                group.addTask {
                    try await pool.run(memoryBytes: parameters.memoryBytes) {
                        try Argon2.hash(password: [UInt8(index)], salt: salt, parameters: parameters, tagLength: 32)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 24)
        #expect(pool.usage.peakBytesInUse <= 3 << 20)
        #expect(pool.usage.peakBytesInUse >= 1 << 20)
        #expect(pool.usage == .init(running: 0, bytesInUse: 0, waiting: 0, peakBytesInUse: pool.usage.peakBytesInUse))
    }

    @Test func excessRequestsFailWithOverloadedAfterTheDeadline() async throws {
        let pool = HashingPool(workerCount: 4, memoryBudgetBytes: 2 << 20, admissionTimeout: .milliseconds(50))
        let gate = DispatchSemaphore(value: 0)
        // Two 1 MiB jobs fill the budget and block until the gate opens.
        let holders = (0..<2).map { _ in
            Task { try await pool.run(memoryBytes: 1 << 20) { gate.wait() } }
        }
        while pool.usage.running < 2 { try await Task.sleep(for: .milliseconds(1)) }
        await #expect(throws: HashingError.overloaded) { try await pool.run(memoryBytes: 1 << 20) {} }
        #expect(pool.usage.bytesInUse == 2 << 20)
        #expect(pool.usage.waiting == 0)
        gate.signal()
        gate.signal()
        for holder in holders { try await holder.value }
        // With the budget free again, a request is admitted at once.
        try await pool.run(memoryBytes: 2 << 20) {}
        #expect(pool.usage.peakBytesInUse == 2 << 20)
    }

    @Test func aRequestLargerThanTheWholeBudgetFailsAtOnce() async {
        let pool = HashingPool(workerCount: 1, memoryBudgetBytes: 1 << 20)
        await #expect(throws: HashingError.exceedsMemoryBudget(requiredBytes: 2 << 20, budgetBytes: 1 << 20)) {
            try await pool.run(memoryBytes: 2 << 20) {}
        }
        let hasher = try? PasswordHasher(
            for: .password, algorithm: .argon2(.init(memoryKiB: 2048, iterations: 1, parallelism: 1)), keyring: nil,
            pool: pool)
        await #expect(throws: HashingError.self) { try await hasher?.hash("password") }
    }

    @Test func waitersAreAdmittedInOrderWhenMemoryFrees() async throws {
        let pool = HashingPool(workerCount: 1, memoryBudgetBytes: 1 << 20, admissionTimeout: .seconds(60))
        let order = Log()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                group.addTask {
                    try await pool.run(memoryBytes: 1 << 20) { order.entries.withLock { $0.append(index) } }
                }
            }
            try await group.waitForAll()
        }
        #expect(order.entries.withLock { $0.count } == 10)
        #expect(pool.usage.peakBytesInUse == 1 << 20)
    }

    @Test func hashesDoNotRunOnTheCallersThread() async throws {
        let pool = HashingPool(workerCount: 1, memoryBudgetBytes: 1 << 20)
        #expect(!HashingPool.isOnWorker)
        let onWorker = try await pool.run(memoryBytes: 0) { HashingPool.isOnWorker }
        #expect(onWorker)
    }

    @Test func cancellationWhileWaitingLeavesNoTrace() async throws {
        let pool = HashingPool(workerCount: 1, memoryBudgetBytes: 1 << 20, admissionTimeout: .seconds(60))
        let gate = DispatchSemaphore(value: 0)
        let holder = Task { try await pool.run(memoryBytes: 1 << 20) { gate.wait() } }
        while pool.usage.running < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let waiter = Task { try await pool.run(memoryBytes: 1 << 20) {} }
        while pool.usage.waiting < 1 { try await Task.sleep(for: .milliseconds(1)) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(pool.usage.waiting == 0)
        gate.signal()
        try await holder.value
        #expect(pool.usage.bytesInUse == 0)
    }
}

private final class Log: Sendable {
    let entries = Mutex<[Int]>([])
}
