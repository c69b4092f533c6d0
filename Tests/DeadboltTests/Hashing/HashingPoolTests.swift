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
        try await pool.settled()
        let usage = pool.usage
        #expect(usage.peakBytesInUse <= 3 << 20)
        #expect(usage.peakBytesInUse >= 1 << 20)
        #expect(usage.running == 0 && usage.bytesInUse == 0 && usage.waiting == 0)
        #expect(usage.idleBytes <= 3 << 20)
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
        try await pool.settled()
        // With the budget free again (the idle arenas make way), a request is admitted at once.
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
        try await pool.settled()
        #expect(pool.usage.bytesInUse == 0)
    }

    @Test func cancellationJustBeforeQueueingIsNotLost() async throws {
        // The checkpoint cancels the request from inside its own admission, at the last moment before it takes the
        // pool's lock to queue itself: deterministically the window in which a cancellation used to be lost.
        let cancelInAdmission = Mutex(false)
        let pool = HashingPool(
            workerCount: 1, memoryBudgetBytes: 1 << 20, admissionTimeout: .seconds(3600), arenaRetention: .seconds(10),
            admissionCheckpoint: {
                guard cancelInAdmission.withLock({ $0 }) else { return }
                withUnsafeCurrentTask { $0?.cancel() }
            })
        let gate = DispatchSemaphore(value: 0)
        let holder = Task { try await pool.run(memoryBytes: 1 << 20) { gate.wait() } }
        while pool.usage.running < 1 { try await Task.sleep(for: .milliseconds(1)) }
        cancelInAdmission.withLock { $0 = true }
        let finished = Mutex(false)
        let request = Task {
            defer { finished.withLock { $0 = true } }
            try await pool.run(memoryBytes: 1 << 20) {}
        }
        // Either the request ends (cancelled) or it sits in the queue although cancelled: poll the pool, not a clock.
        while !finished.withLock({ $0 }), pool.usage.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(pool.usage.waiting == 0, "a cancelled request waits in the queue")
        gate.signal()
        try await holder.value
        await #expect(throws: CancellationError.self) { try await request.value }
        try await pool.settled()
        #expect(pool.usage.bytesInUse == 0)
    }
}

extension HashingPool {
    /// Waits until no request runs: a caller has its result before the worker has wiped and returned its arena.
    /// Polls the pool's state, never a clock.
    func settled() async throws {
        while usage.running > 0 { try await Task.sleep(for: .milliseconds(1)) }
    }
}

private final class Log: Sendable {
    let entries = Mutex<[Int]>([])
}
