import Deadbolt
import Testing

/// A store under test and a way to let time pass on its clock.
///
/// The same cases run against every ``StateStore``: a real Redis (time passes by sleeping, so durations are short
/// real ones) and the in-memory store (time passes by advancing its manual clock). Cases never assert an exact
/// duration a real clock would blur; they assert ranges and what happens after the time has passed.
struct ConformanceSubject: Sendable {
    /// The store.
    let store: any StateStore
    /// Lets at least `duration` pass on the store's clock.
    let advance: @Sendable (Duration) async throws -> Void
    /// A span long enough that a few store calls in a row fit inside it on a loaded machine: waits and TTLs in
    /// the cases are multiples of it.
    let tick: Duration
    /// Prefixes every scope, so concurrent and repeated runs never share a key.
    let run: String

    init(store: any StateStore, tick: Duration, advance: @escaping @Sendable (Duration) async throws -> Void) {
        self.store = store
        self.tick = tick
        self.advance = advance
        run = "conf-\(UInt64.random(in: 0...UInt64.max))"
    }

    /// A key with a scope of its own.
    func key(_ namespace: String, _ name: String = "") throws -> StateKey {
        try StateKey(namespace: namespace, scope: "\(run)-\(UInt32.random(in: 0...UInt32.max))", name: name)
    }
}

/// One conformance case, named for the test report.
struct ConformanceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let body: @Sendable (ConformanceSubject) async throws -> Void
    var testDescription: String { name }

    init(_ name: String, _ body: @escaping @Sendable (ConformanceSubject) async throws -> Void) {
        self.name = name
        self.body = body
    }
}

/// The semantics every ``StateStore`` shares, as documented on the protocol, written once.
enum StateStoreConformance {
    /// Runs `conformance` against a fresh store from `makeStore`, letting time pass with `advance`; a `nil` store
    /// (its server is not running) skips the case. `finish` releases the store (stops a pool's threads) whatever
    /// the case did.
    static func run(
        _ conformance: ConformanceCase, tick: Duration,
        makeStore: () async throws -> (any StateStore)?,
        advance: @escaping @Sendable (Duration) async throws -> Void,
        finish: (any StateStore) -> Void = { _ in }
    ) async throws {
        guard let store = try await makeStore() else { return }
        do {
            try await conformance.body(ConformanceSubject(store: store, tick: tick, advance: advance))
            finish(store)
        } catch {
            finish(store)
            throw error
        }
    }

    static let cases: [ConformanceCase] = [
        ConformanceCase("GCRA allows a burst, then denies without taking", tokenBucketBurst),
        ConformanceCase("GCRA refills one token per interval", tokenBucketRefill),
        ConformanceCase("GCRA buckets are per key", tokenBucketPerKey),
        ConformanceCase("refundToken gives one token back, never more than the burst", tokenRefund),
        ConformanceCase("lockout counts reservations and locks at the threshold", lockoutThreshold),
        ConformanceCase("lockout waits follow LockoutSchedule.wait(afterFailures:)", lockoutWaitFormula),
        ConformanceCase("resetAttempts clears the count and a timed lock", lockoutReset),
        ConformanceCase("a hard lock survives resetAttempts; clearLockout lifts it", lockoutHard),
        ConformanceCase("a success before the hard lock is set resets the count", lockoutHardThresholdReset),
        ConformanceCase("failures are forgotten after failureMemory", lockoutMemory),
        ConformanceCase("concurrent reservations admit exactly the threshold", lockoutConcurrent),
        ConformanceCase("refundAttempt takes one failure off and lifts the timed lock it set", attemptRefund),
        ConformanceCase("refundAttempt never lifts a lock a later reservation set", attemptRefundKeepsOthersLock),
        ConformanceCase("refundAttempt keeps a hard lock", attemptRefundHard),
        ConformanceCase("advanceCounter only advances", counterAdvances),
        ConformanceCase("advanceCounter compares all 64 bits", counterWide),
        ConformanceCase("advanceCounter forgets after its ttl", counterExpires),
        ConformanceCase("a code redeems once and spends tries", codeRedeemsOnce),
        ConformanceCase("a code dies when its tries run out", codeTriesRunOut),
        ConformanceCase("putCode replaces; codes expire", codeReplacesAndExpires),
        ConformanceCase("concurrent redemptions redeem a code once", codeConcurrent),
        ConformanceCase("a code set redeems each code once", codeSetRedeems),
        ConformanceCase("a code set is replaced, deduplicated and expires", codeSetReplaces),
        ConformanceCase("claim creates a marker once per ttl", claimOnce),
        ConformanceCase("remove deletes whatever is there", removeDeletes),
        ConformanceCase("events keep the newest, newest first", eventsKeepNewest),
        ConformanceCase("events expire after their ttl", eventsExpire),
        ConformanceCase("a key of another kind is refused", wrongKindRefused),
        ConformanceCase("out-of-range arguments are refused", argumentsRefused),
        ConformanceCase("every second factor works for an account with braces", secondFactorsWithBraces),
    ]

    // MARK: Rate limits

    static func tokenBucketBurst(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("rate")
        let limit = RateLimit(burst: 3, interval: subject.tick * 20)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 2))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        guard case .denied(let first) = try await store.acquireToken(key, limit: limit) else {
            Issue.record("a fourth request inside the burst window was allowed")
            return
        }
        #expect(first > .zero && first <= limit.interval)
        // A denial takes nothing: the wait does not grow.
        guard case .denied(let second) = try await store.acquireToken(key, limit: limit) else {
            Issue.record("a denied request made room for another")
            return
        }
        #expect(second <= first)
    }

    static func tokenBucketRefill(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("rate")
        let limit = RateLimit(burst: 2, interval: subject.tick * 4)
        _ = try await store.acquireToken(key, limit: limit)
        _ = try await store.acquireToken(key, limit: limit)
        guard case .denied(let retryAfter) = try await store.acquireToken(key, limit: limit) else {
            Issue.record("a third request was allowed with a burst of 2")
            return
        }
        try await subject.advance(retryAfter)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        // A full quiet spell refills the whole burst.
        try await subject.advance(limit.interval * 2)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
    }

    static func tokenBucketPerKey(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let limit = RateLimit(burst: 1, interval: subject.tick * 20)
        let first = try subject.key("rate")
        let second = try subject.key("rate")
        #expect(try await store.acquireToken(first, limit: limit) == .allowed(remaining: 0))
        #expect(try await store.acquireToken(second, limit: limit) == .allowed(remaining: 0))
        let third = try StateKey(namespace: "rate", scope: first.scope, name: "other")
        #expect(try await store.acquireToken(third, limit: limit) == .allowed(remaining: 0))
    }

    static func tokenRefund(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("rate")
        let limit = RateLimit(burst: 2, interval: subject.tick * 100)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        try await store.refundToken(key, limit: limit)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        for _ in 0..<3 { try await store.refundToken(key, limit: limit) }
        // Refunds stop at a full bucket.
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
        // Refunding an empty key does nothing.
        let empty = try subject.key("rate")
        try await store.refundToken(empty, limit: limit)
        #expect(try await store.acquireToken(empty, limit: limit) == .allowed(remaining: 1))
    }

    // MARK: Lockout

    static func schedule(
        _ subject: ConformanceSubject, threshold: Int, hardLockAfter: Int, initialWaitTicks: Int64 = 20,
        maximumWaitTicks: Int64 = 40, memoryTicks: Int64 = 200
    ) -> LockoutSchedule {
        LockoutSchedule(
            threshold: threshold, initialWait: subject.tick * initialWaitTicks,
            maximumWait: subject.tick * maximumWaitTicks, hardLockAfter: hardLockAfter,
            failureMemory: subject.tick * memoryTicks)
    }

    static func lockoutThreshold(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 3, hardLockAfter: 10)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 0, retryAfter: nil, hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))
        #expect(try await store.lockoutStatus(key, schedule: schedule).retryAfter == nil)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 3))
        guard case .locked(let retryAfter) = try await store.reserveAttempt(key, schedule: schedule) else {
            Issue.record("the attempt after the threshold was not locked")
            return
        }
        #expect(retryAfter > .zero && retryAfter <= schedule.initialWait)
        let status = try await store.lockoutStatus(key, schedule: schedule)
        #expect(status.failures == 3)
        #expect(!status.hardLocked)
        #expect(status.retryAfter.map { $0 > .zero && $0 <= schedule.initialWait } == true)
    }

    static func lockoutWaitFormula(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        // Waits of 2, 4, then 6 (capped) ticks.
        let schedule = schedule(subject, threshold: 2, hardLockAfter: 10, initialWaitTicks: 2, maximumWaitTicks: 6)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
        for failures in 2...4 {
            let reserved = try await store.reserveAttempt(key, schedule: schedule)
            #expect(reserved == .admitted(failures: failures))
            let expected = schedule.wait(afterFailures: failures)
            guard case .locked(let retryAfter) = try await store.reserveAttempt(key, schedule: schedule) else {
                Issue.record("no lock after \(failures) failures")
                return
            }
            // Milliseconds on a real server: within one tick below the formula, never above it.
            #expect(retryAfter <= expected && retryAfter > expected - subject.tick)
            try await subject.advance(retryAfter)
        }
        #expect(schedule.wait(afterFailures: 4) == schedule.maximumWait)
    }

    static func lockoutReset(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 2, hardLockAfter: 10)
        _ = try await store.reserveAttempt(key, schedule: schedule)
        _ = try await store.reserveAttempt(key, schedule: schedule)
        guard case .locked = try await store.reserveAttempt(key, schedule: schedule) else {
            Issue.record("no lock at the threshold")
            return
        }
        try await store.resetAttempts(key)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 0, retryAfter: nil, hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
        // Resetting nothing is fine.
        try await store.resetAttempts(try subject.key("lockout"))
    }

    static func lockoutHard(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 10, hardLockAfter: 3)
        for failures in 1...3 {
            #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: failures))
        }
        #expect(try await store.lockoutStatus(key, schedule: schedule).hardLocked)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .hardLocked)
        try await store.resetAttempts(key)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .hardLocked)
        #expect(try await store.lockoutStatus(key, schedule: schedule).hardLocked)
        try await store.clearLockout(key)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 0, retryAfter: nil, hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    static func lockoutHardThresholdReset(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 10, hardLockAfter: 2)
        _ = try await store.reserveAttempt(key, schedule: schedule)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))
        // The last admitted attempt was the right credential: its success clears the count before the lock is set.
        try await store.resetAttempts(key)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    static func lockoutMemory(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 5, hardLockAfter: 10, memoryTicks: 5)
        _ = try await store.reserveAttempt(key, schedule: schedule)
        _ = try await store.reserveAttempt(key, schedule: schedule)
        #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 2)
        try await subject.advance(schedule.failureMemory)
        #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 0)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    static func lockoutConcurrent(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 5, hardLockAfter: 50)
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    if case .admitted = try await store.reserveAttempt(key, schedule: schedule) { return true }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 5)
    }

    static func attemptRefund(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 2, hardLockAfter: 10)
        _ = try await store.reserveAttempt(key, schedule: schedule)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))
        guard case .locked = try await store.reserveAttempt(key, schedule: schedule) else {
            Issue.record("no lock at the threshold")
            return
        }
        try await store.refundAttempt(key, admittedAs: 2, schedule: schedule)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 1, retryAfter: nil, hardLocked: false))
        try await store.refundAttempt(key, admittedAs: 1, schedule: schedule)
        #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 0)
        try await store.refundAttempt(key, admittedAs: 1, schedule: schedule)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    /// Issue 9, defect 6: X1 and X2 reserve one key; X2's reservation sets the lock; X1, refused by another budget,
    /// refunds. X1's refund takes its count off and leaves X2's lock, in every store.
    static func attemptRefundKeepsOthersLock(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout-source")
        let schedule = schedule(subject, threshold: 2, hardLockAfter: 10)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))  // X1
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))  // X2 locks
        try await store.refundAttempt(key, admittedAs: 1, schedule: schedule)
        let status = try await store.lockoutStatus(key, schedule: schedule)
        #expect(status.failures == 1)
        #expect(!status.hardLocked)
        #expect(status.retryAfter.map { $0 > .zero && $0 <= schedule.initialWait } == true, "X2's lock was lifted")
        guard case .locked = try await store.reserveAttempt(key, schedule: schedule) else {
            Issue.record("a reservation was admitted under X2's lock")
            return
        }
        // Refunded after X1, X2 cannot tell the lock is its own: the lock stays even with no count left under it.
        try await store.refundAttempt(key, admittedAs: 2, schedule: schedule)
        let after = try await store.lockoutStatus(key, schedule: schedule)
        #expect(after.failures == 0)
        #expect(after.retryAfter != nil)
        try await subject.advance(schedule.initialWait)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    static func attemptRefundHard(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("lockout")
        let schedule = schedule(subject, threshold: 10, hardLockAfter: 1)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .hardLocked)
        try await store.refundAttempt(key, admittedAs: 1, schedule: schedule)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .hardLocked)
        try await store.clearLockout(key)
    }

    // MARK: Counters

    static func counterAdvances(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("otp-step")
        let ttl = subject.tick * 100
        #expect(try await store.advanceCounter(key, to: 5, ttl: ttl))
        #expect(try await !store.advanceCounter(key, to: 5, ttl: ttl))
        #expect(try await !store.advanceCounter(key, to: 4, ttl: ttl))
        #expect(try await store.advanceCounter(key, to: 6, ttl: ttl))
        #expect(try await store.advanceCounter(key, to: 100, ttl: ttl))
        #expect(try await !store.advanceCounter(key, to: 99, ttl: ttl))
        #expect(try await store.advanceCounter(try subject.key("otp-step"), to: 0, ttl: ttl))
    }

    static func counterWide(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("otp-step")
        let ttl = subject.tick * 100
        // 2^53 and 2^53 + 1 are one double apart only in integers: a store comparing doubles would call this a replay.
        #expect(try await store.advanceCounter(key, to: 9_007_199_254_740_992, ttl: ttl))
        #expect(try await store.advanceCounter(key, to: 9_007_199_254_740_993, ttl: ttl))
        #expect(try await !store.advanceCounter(key, to: 9_007_199_254_740_993, ttl: ttl))
        #expect(try await store.advanceCounter(key, to: UInt64.max - 1, ttl: ttl))
        #expect(try await store.advanceCounter(key, to: UInt64.max, ttl: ttl))
        #expect(try await !store.advanceCounter(key, to: UInt64.max, ttl: ttl))
        #expect(try await !store.advanceCounter(key, to: 10, ttl: ttl))
    }

    static func counterExpires(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("otp-step")
        let ttl = subject.tick * 5
        #expect(try await store.advanceCounter(key, to: 7, ttl: ttl))
        try await subject.advance(ttl)
        #expect(try await store.advanceCounter(key, to: 7, ttl: ttl))
    }

    // MARK: Codes

    static let right: [UInt8] = Array(repeating: 0xA5, count: 32)
    static let wrong: [UInt8] = Array(repeating: 0x5A, count: 32)

    static func codeRedeemsOnce(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("code", "email")
        let context: [UInt8] = Array("purpose=reset".utf8)
        #expect(try await store.redeemCode(key, digest: right) == .absent)
        try await store.putCode(key, digest: right, context: context, tries: 3, ttl: subject.tick * 100)
        #expect(try await store.redeemCode(key, digest: wrong) == .mismatch(triesLeft: 2))
        #expect(try await store.redeemCode(key, digest: wrong) == .mismatch(triesLeft: 1))
        #expect(try await store.redeemCode(key, digest: right) == .redeemed(context: context))
        #expect(try await store.redeemCode(key, digest: right) == .absent)
        let empty = try subject.key("code")
        try await store.putCode(empty, digest: right, context: [], tries: 1, ttl: subject.tick * 100)
        #expect(try await store.redeemCode(empty, digest: right) == .redeemed(context: []))
    }

    static func codeTriesRunOut(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("code")
        try await store.putCode(key, digest: right, context: [1], tries: 2, ttl: subject.tick * 100)
        #expect(try await store.redeemCode(key, digest: wrong) == .mismatch(triesLeft: 1))
        #expect(try await store.redeemCode(key, digest: wrong) == .mismatch(triesLeft: 0))
        #expect(try await store.redeemCode(key, digest: right) == .absent)
    }

    static func codeReplacesAndExpires(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("code")
        try await store.putCode(key, digest: wrong, context: [1], tries: 5, ttl: subject.tick * 100)
        try await store.putCode(key, digest: right, context: [2], tries: 5, ttl: subject.tick * 5)
        #expect(try await store.redeemCode(key, digest: wrong) == .mismatch(triesLeft: 4))
        try await subject.advance(subject.tick * 5)
        #expect(try await store.redeemCode(key, digest: right) == .absent)
    }

    static func codeConcurrent(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("code")
        try await store.putCode(key, digest: right, context: [9], tries: 3, ttl: subject.tick * 100)
        let redeemed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<40 {
                group.addTask { try await store.redeemCode(key, digest: right) == .redeemed(context: [9]) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(redeemed == 1)
    }

    static func codeSetRedeems(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("recovery")
        let codes: [[UInt8]] = (1...3).map { Array(repeating: UInt8($0), count: 32) }
        #expect(try await store.codeSetCount(key) == 0)
        #expect(try await store.redeemFromCodeSet(key, digest: codes[0]) == nil)
        try await store.putCodeSet(key, digests: codes, ttl: subject.tick * 100)
        #expect(try await store.codeSetCount(key) == 3)
        #expect(try await store.redeemFromCodeSet(key, digest: codes[1]) == 2)
        #expect(try await store.redeemFromCodeSet(key, digest: codes[1]) == nil)
        #expect(try await store.redeemFromCodeSet(key, digest: wrong) == nil)
        #expect(try await store.codeSetCount(key) == 2)
        #expect(try await store.redeemFromCodeSet(key, digest: codes[0]) == 1)
        #expect(try await store.redeemFromCodeSet(key, digest: codes[2]) == 0)
        #expect(try await store.codeSetCount(key) == 0)
    }

    static func codeSetReplaces(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("recovery")
        let a: [UInt8] = Array(repeating: 1, count: 16)
        let b: [UInt8] = Array(repeating: 2, count: 16)
        try await store.putCodeSet(key, digests: [a, b], ttl: subject.tick * 100)
        try await store.putCodeSet(key, digests: [b, b], ttl: subject.tick * 5)
        #expect(try await store.codeSetCount(key) == 1)
        #expect(try await store.redeemFromCodeSet(key, digest: a) == nil)
        try await subject.advance(subject.tick * 5)
        #expect(try await store.codeSetCount(key) == 0)
        try await store.putCodeSet(key, digests: [a], ttl: subject.tick * 100)
        try await store.putCodeSet(key, digests: [], ttl: subject.tick * 100)
        #expect(try await store.codeSetCount(key) == 0)
    }

    // MARK: Claims, removal, events

    static func claimOnce(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("resend")
        #expect(try await store.claim(key, ttl: subject.tick * 5))
        #expect(try await !store.claim(key, ttl: subject.tick * 5))
        try await subject.advance(subject.tick * 5)
        #expect(try await store.claim(key, ttl: subject.tick * 5))
    }

    static func removeDeletes(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("code")
        try await store.putCode(key, digest: right, context: [], tries: 1, ttl: subject.tick * 100)
        try await store.remove(key)
        #expect(try await store.redeemCode(key, digest: right) == .absent)
        try await store.remove(key)
        let claimKey = try subject.key("resend")
        #expect(try await store.claim(claimKey, ttl: subject.tick * 100))
        try await store.remove(claimKey)
        #expect(try await store.claim(claimKey, ttl: subject.tick * 100))
    }

    static func eventsKeepNewest(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("events")
        #expect(try await store.recentEvents(key, limit: 10) == [])
        for index in 1...5 {
            try await store.appendEvent(key, [UInt8(index)], keepLast: 3, ttl: subject.tick * 100)
        }
        #expect(try await store.recentEvents(key, limit: 10) == [[5], [4], [3]])
        #expect(try await store.recentEvents(key, limit: 2) == [[5], [4]])
        #expect(try await store.recentEvents(key, limit: 0) == [])
    }

    static func eventsExpire(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("events")
        try await store.appendEvent(key, [1], keepLast: 3, ttl: subject.tick * 5)
        #expect(try await store.recentEvents(key, limit: 10) == [[1]])
        try await subject.advance(subject.tick * 5)
        #expect(try await store.recentEvents(key, limit: 10) == [])
    }

    static func wrongKindRefused(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("code")
        try await store.putCode(key, digest: right, context: [], tries: 1, ttl: subject.tick * 100)
        let kindError = StateStoreError.invalidArgument("the key holds another kind of state")
        await #expect(throws: kindError) {
            try await store.acquireToken(key, limit: RateLimit(burst: 1, interval: .seconds(1)))
        }
        await #expect(throws: kindError) { try await store.advanceCounter(key, to: 1, ttl: .seconds(1)) }
        await #expect(throws: kindError) { try await store.recentEvents(key, limit: 1) }
        await #expect(throws: kindError) { try await store.codeSetCount(key) }
    }

    static func argumentsRefused(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        let key = try subject.key("misc")
        let refused: [@Sendable () async throws -> Void] = [
            { _ = try await store.acquireToken(key, limit: RateLimit(burst: 0, interval: .seconds(1))) },
            { _ = try await store.acquireToken(key, limit: RateLimit(burst: 1, interval: .zero)) },
            { _ = try await store.advanceCounter(key, to: 1, ttl: .zero) },
            { _ = try await store.claim(key, ttl: .seconds(-1)) },
            { try await store.putCode(key, digest: [], context: [], tries: 1, ttl: .seconds(1)) },
            { try await store.putCode(key, digest: [1], context: [], tries: 0, ttl: .seconds(1)) },
            { try await store.putCode(key, digest: [UInt8](repeating: 1, count: 65), context: [], tries: 1, ttl: .seconds(1)) },
            { try await store.putCodeSet(key, digests: [[]], ttl: .seconds(1)) },
            { try await store.appendEvent(key, [], keepLast: 1, ttl: .seconds(1)) },
            { try await store.appendEvent(key, [1], keepLast: 0, ttl: .seconds(1)) },
            { _ = try await store.recentEvents(key, limit: -1) },
            {
                _ = try await store.reserveAttempt(
                    key,
                    schedule: LockoutSchedule(
                        threshold: 0, initialWait: .seconds(1), maximumWait: .seconds(2), hardLockAfter: 5,
                        failureMemory: .seconds(10)))
            },
        ]
        for call in refused {
            do {
                try await call()
                Issue.record("an out-of-range argument was accepted")
            } catch let error as StateStoreError {
                guard case .invalidArgument = error else {
                    Issue.record("expected invalidArgument, got \(error)")
                    continue
                }
            }
        }
    }

    // MARK: Second factors

    /// RFC 4226 Appendix D's secret, "12345678901234567890".
    static let rfcSecret = Array("12345678901234567890".utf8)

    /// `a{b}@example.com` (legal in an e-mail local part, RFC 5322 §3.2.3) through every second-factor operation:
    /// each builds its keys from the account, and an unescaped brace made every one throw `invalidKey`.
    static func secondFactorsWithBraces(_ subject: ConformanceSubject) async throws {
        let store = subject.store
        // Braces in the account; the run's id keeps repeated runs on one Redis apart (TOTP steps are remembered).
        let account = "a{b}.\(subject.run)@example.com"
        let hashingKey = try CodeHashingKey(SecretBytes([UInt8](repeating: 0x42, count: 32)))
        let wallClock = FixedWallClock(unixSeconds: 1_111_111_109)
        let verifier = OneTimeCodeVerifier(store: store, hashingKey: hashingKey, wallClock: wallClock)

        let totp = try TOTP(secret: rfcSecret)
        let code = try totp.code(at: 1_111_111_109)
        #expect(try await verifier.verifyTOTP(code, totp: totp, account: account).eventKind == .codeRedeemed)
        #expect(try await verifier.verifyTOTP(code, totp: totp, account: account) == .replayed)

        let hotp = try HOTP(secret: rfcSecret)
        #expect(try await verifier.verifyHOTP(try hotp.code(counter: 2), hotp: hotp, account: account, expectedCounter: 0)
            .eventKind == .codeRedeemed)
        #expect(try await verifier.verifyHOTP(try hotp.code(counter: 2), hotp: hotp, account: account, expectedCounter: 0)
            == .replayed)
        let resynchronized = try await verifier.resynchronizeHOTP(
            first: try hotp.code(counter: 40), second: try hotp.code(counter: 41), hotp: hotp, account: account,
            expectedCounter: 3)
        #expect(resynchronized == .accepted(.init(kind: .hotp, counter: 41, drift: 38, remainingRecoveryCodes: nil)))

        let delivery = CapturingDelivery()
        let sender = try IssuedCodeSender(store: store, delivery: delivery, hashingKey: hashingKey)
        let binding: [UInt8] = Array("request-1".utf8)
        #expect(try await sender.issue(account: account, purpose: .signInStepUp, binding: binding) == .sent)
        #expect(try await sender.issue(account: account, purpose: .signInStepUp, binding: binding) == .coolingDown)
        let sent = try #require(await delivery.lastCode)
        #expect(try await verifier.verifyIssuedCode(sent, account: account, purpose: .signInStepUp, binding: binding)
            .eventKind == .codeRedeemed)
        #expect(try await verifier.verifyIssuedCode(sent, account: account, purpose: .signInStepUp, binding: binding)
            == .expired)

        let recovery = try await RecoveryCodes.issue(account: account, count: 3, store: store, hashingKey: hashingKey)
        #expect(try await RecoveryCodes.remaining(account: account, store: store) == 3)
        #expect(try await verifier.verifyRecoveryCode(recovery[1], account: account)
            == .accepted(.init(kind: .recoveryCode, counter: nil, drift: nil, remainingRecoveryCodes: 2)))
        #expect(try await verifier.verifyRecoveryCode(recovery[1], account: account) == .rejected)

        // Each acceptance reset the second-factor budget, so it holds the last failure (the spent recovery code),
        // and it is readable and clearable through its key.
        let lockoutKey = try OneTimeCodeVerifier.lockoutKey(account: account)
        #expect(try await store.lockoutStatus(lockoutKey, schedule: verifier.lockout).failures == 1)
        try await store.clearLockout(lockoutKey)
        #expect(try await store.lockoutStatus(lockoutKey, schedule: verifier.lockout).failures == 0)
    }
}

/// A wall clock stopped at one second, for TOTP.
struct FixedWallClock: WallClock {
    let unixSeconds: Int64
    func millisecondsSinceEpoch() -> Int64 { unixSeconds * 1000 }
}

/// A code delivery that keeps the last code it was asked to send.
actor CapturingDelivery: CodeDelivery {
    private(set) var lastCode: String?

    func send(code: String, to account: String, purpose: CodePurpose) async throws {
        lastCode = code
    }
}
