import Synchronization
@testable import Deadbolt

/// Wraps a store and makes chosen operations throw, to test that policies fail closed (or open) and refund; and
/// runs `beforeReserve` before each ``reserveAttempt(_:schedule:)``, so a test can hold one attempt mid-way.
final class FaultInjectingStateStore: StateStore {
    enum Operation: Hashable, Sendable, CaseIterable {
        case acquireToken, refundToken, reserveAttempt, refundAttempt, resetAttempts, clearLockout, lockoutStatus
        case advanceCounter, putCode, redeemCode, putCodeSet, redeemFromCodeSet, codeSetCount, claim, remove
        case appendEvent, recentEvents
    }

    let inner: any StateStore
    let error: StateStoreError
    private let failing: Mutex<Set<Operation>>
    private let beforeReserve: @Sendable (StateKey) async -> Void

    init(
        _ inner: any StateStore, failing: Set<Operation> = Set(Operation.allCases), error: StateStoreError = .timeout,
        beforeReserve: @escaping @Sendable (StateKey) async -> Void = { _ in }
    ) {
        self.inner = inner
        self.error = error
        self.failing = Mutex(failing)
        self.beforeReserve = beforeReserve
    }

    func setFailing(_ operations: Set<Operation>) {
        failing.withLock { $0 = operations }
    }

    private func check(_ operation: Operation) throws {
        if failing.withLock({ $0.contains(operation) }) { throw error }
    }

    func acquireToken(_ key: StateKey, limit: RateLimit) async throws -> RateDecision {
        try check(.acquireToken)
        return try await inner.acquireToken(key, limit: limit)
    }

    func refundToken(_ key: StateKey, limit: RateLimit) async throws {
        try check(.refundToken)
        try await inner.refundToken(key, limit: limit)
    }

    func reserveAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws -> AttemptReservation {
        try check(.reserveAttempt)
        await beforeReserve(key)
        return try await inner.reserveAttempt(key, schedule: schedule)
    }

    func refundAttempt(_ key: StateKey, admittedAs failures: Int, schedule: LockoutSchedule) async throws {
        try check(.refundAttempt)
        try await inner.refundAttempt(key, admittedAs: failures, schedule: schedule)
    }

    func resetAttempts(_ key: StateKey) async throws {
        try check(.resetAttempts)
        try await inner.resetAttempts(key)
    }

    func clearLockout(_ key: StateKey) async throws {
        try check(.clearLockout)
        try await inner.clearLockout(key)
    }

    func lockoutStatus(_ key: StateKey, schedule: LockoutSchedule) async throws -> LockoutStatus {
        try check(.lockoutStatus)
        return try await inner.lockoutStatus(key, schedule: schedule)
    }

    func advanceCounter(_ key: StateKey, to value: UInt64, ttl: Duration) async throws -> Bool {
        try check(.advanceCounter)
        return try await inner.advanceCounter(key, to: value, ttl: ttl)
    }

    func putCode(_ key: StateKey, digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) async throws {
        try check(.putCode)
        try await inner.putCode(key, digest: digest, context: context, tries: tries, ttl: ttl)
    }

    func redeemCode(_ key: StateKey, digest: [UInt8]) async throws -> CodeRedemption {
        try check(.redeemCode)
        return try await inner.redeemCode(key, digest: digest)
    }

    func putCodeSet(_ key: StateKey, digests: [[UInt8]], ttl: Duration) async throws {
        try check(.putCodeSet)
        try await inner.putCodeSet(key, digests: digests, ttl: ttl)
    }

    func redeemFromCodeSet(_ key: StateKey, digest: [UInt8]) async throws -> Int? {
        try check(.redeemFromCodeSet)
        return try await inner.redeemFromCodeSet(key, digest: digest)
    }

    func codeSetCount(_ key: StateKey) async throws -> Int {
        try check(.codeSetCount)
        return try await inner.codeSetCount(key)
    }

    func claim(_ key: StateKey, ttl: Duration) async throws -> Bool {
        try check(.claim)
        return try await inner.claim(key, ttl: ttl)
    }

    func remove(_ key: StateKey) async throws {
        try check(.remove)
        try await inner.remove(key)
    }

    func appendEvent(_ key: StateKey, _ payload: [UInt8], keepLast: Int, ttl: Duration) async throws {
        try check(.appendEvent)
        try await inner.appendEvent(key, payload, keepLast: keepLast, ttl: ttl)
    }

    func recentEvents(_ key: StateKey, limit: Int) async throws -> [[UInt8]] {
        try check(.recentEvents)
        return try await inner.recentEvents(key, limit: limit)
    }
}

/// Holds the first task that reaches it until the test releases it, so another task can run in between.
actor Checkpoint {
    private var reached = false
    private var released = false
    private var arrival: CheckedContinuation<Void, Never>?
    private var release: CheckedContinuation<Void, Never>?

    /// The first caller waits here until ``open()``; later callers pass at once.
    func holdFirst() async {
        guard !reached else { return }
        reached = true
        arrival?.resume()
        arrival = nil
        guard !released else { return }
        await withCheckedContinuation { release = $0 }
    }

    /// Returns once a task is held.
    func waitUntilHeld() async {
        guard !reached else { return }
        await withCheckedContinuation { arrival = $0 }
    }

    /// Lets the held task (and any later one) go on.
    func open() {
        released = true
        release?.resume()
        release = nil
    }
}
