import Testing
@testable import Deadbolt

@Suite struct StateAttemptLockoutTests {
    /// 3 free failures, then 10 s doubling to a 40 s cap, hard lock at 8, forgotten after an hour.
    let schedule = LockoutSchedule(
        threshold: 3, initialWait: .seconds(10), maximumWait: .seconds(40), hardLockAfter: 8,
        failureMemory: .seconds(3600)
    )

    @Test func waitFormulaDoublesFromTheThresholdToTheCap() {
        #expect(schedule.wait(afterFailures: 0) == .zero)
        #expect(schedule.wait(afterFailures: 2) == .zero)
        #expect(schedule.wait(afterFailures: 3) == .seconds(10))
        #expect(schedule.wait(afterFailures: 4) == .seconds(20))
        #expect(schedule.wait(afterFailures: 5) == .seconds(40))
        #expect(schedule.wait(afterFailures: 6) == .seconds(40))
        #expect(schedule.wait(afterFailures: 1_000_000) == .seconds(40))
    }

    @Test func everyBackoffStepThenTheHardLock() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice")
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 3))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .locked(retryAfter: .seconds(10)))
        clock.advance(by: .seconds(4))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .locked(retryAfter: .seconds(6)))
        clock.advance(by: .seconds(6))
        // Locked reservations counted nothing: this is failure 4, not 6.
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 4))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .locked(retryAfter: .seconds(20)))
        clock.advance(by: .seconds(20))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 5))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .locked(retryAfter: .seconds(40)))
        for failures in 6...7 {
            clock.advance(by: .seconds(40))
            #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: failures))
            #expect(try await store.reserveAttempt(key, schedule: schedule) == .locked(retryAfter: .seconds(40)))
        }
        clock.advance(by: .seconds(40))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 8))
        // The eighth failure is the last that may ever run: the next reservation sets the hard lock at once.
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .hardLocked)
        // Neither time nor failure memory lifts a hard lock.
        clock.advance(by: .seconds(365 * 24 * 3600))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .hardLocked)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 8, retryAfter: nil, hardLocked: true))
    }

    @Test func resetKeepsAHardLockButClearLiftsIt() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        let quick = LockoutSchedule(
            threshold: 10, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 2,
            failureMemory: .seconds(60)
        )
        _ = try await store.reserveAttempt(key, schedule: quick)
        _ = try await store.reserveAttempt(key, schedule: quick)
        #expect(try await store.reserveAttempt(key, schedule: quick) == .hardLocked)
        try await store.resetAttempts(key)
        #expect(try await store.reserveAttempt(key, schedule: quick) == .hardLocked)
        #expect(try await store.lockoutStatus(key, schedule: quick).hardLocked)
        try await store.refundAttempt(key, admittedAs: 2, schedule: quick)
        #expect(try await store.reserveAttempt(key, schedule: quick) == .hardLocked)
        try await store.clearLockout(key)
        #expect(try await store.lockoutStatus(key, schedule: quick) == LockoutStatus(failures: 0, retryAfter: nil, hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: quick) == .admitted(failures: 1))
    }

    @Test func theAttemptReachingTheHardLockMaySucceed() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        let quick = LockoutSchedule(
            threshold: 10, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 3,
            failureMemory: .seconds(60)
        )
        for failures in 1...3 {
            #expect(try await store.reserveAttempt(key, schedule: quick) == .admitted(failures: failures))
        }
        // Status warns that the next reservation hard-locks...
        #expect(try await store.lockoutStatus(key, schedule: quick).hardLocked)
        // ...but the third was the right credential: its reset lifts everything, as the hard lock was not yet set.
        try await store.resetAttempts(key)
        #expect(try await store.reserveAttempt(key, schedule: quick) == .admitted(failures: 1))
    }

    @Test func aCountAtTheHardLockNeverExpires() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice")
        let quick = LockoutSchedule(
            threshold: 10, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 2,
            failureMemory: .seconds(60)
        )
        _ = try await store.reserveAttempt(key, schedule: quick)
        _ = try await store.reserveAttempt(key, schedule: quick)
        clock.advance(by: .seconds(3600))
        #expect(try await store.reserveAttempt(key, schedule: quick) == .hardLocked)
    }

    @Test func resetClearsTheCountAndATimedLock() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        for _ in 0..<3 { _ = try await store.reserveAttempt(key, schedule: schedule) }
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .locked(retryAfter: .seconds(10)))
        try await store.resetAttempts(key)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 0, retryAfter: nil, hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    @Test func failuresAreForgottenAfterTheFailureMemory() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice")
        _ = try await store.reserveAttempt(key, schedule: schedule)
        _ = try await store.reserveAttempt(key, schedule: schedule)
        clock.advance(by: .seconds(3599))
        #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 2)
        clock.advance(by: .seconds(1))
        #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 0)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    @Test func aLockOutlastingTheMemoryKeepsTheCount() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice")
        let long = LockoutSchedule(
            threshold: 1, initialWait: .seconds(7200), maximumWait: .seconds(7200), hardLockAfter: 100,
            failureMemory: .seconds(60)
        )
        _ = try await store.reserveAttempt(key, schedule: long)
        clock.advance(by: .seconds(3600))
        #expect(try await store.lockoutStatus(key, schedule: long) == LockoutStatus(failures: 1, retryAfter: .seconds(3600), hardLocked: false))
    }

    @Test func statusReportsWithoutChanging() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice")
        for _ in 0..<3 { _ = try await store.reserveAttempt(key, schedule: schedule) }
        clock.advance(by: .seconds(3))
        let status = try await store.lockoutStatus(key, schedule: schedule)
        #expect(status == LockoutStatus(failures: 3, retryAfter: .seconds(7), hardLocked: false))
        #expect(try await store.lockoutStatus(key, schedule: schedule) == status)
    }

    @Test func refundTakesOneFailureOffAndLiftsTheLockItSet() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        for _ in 0..<3 { _ = try await store.reserveAttempt(key, schedule: schedule) }
        try await store.refundAttempt(key, admittedAs: 3, schedule: schedule)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 2, retryAfter: nil, hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 3))
        try await store.refundAttempt(key, admittedAs: 3, schedule: schedule)
        try await store.refundAttempt(key, admittedAs: 2, schedule: schedule)
        try await store.refundAttempt(key, admittedAs: 1, schedule: schedule)
        try await store.refundAttempt(key, admittedAs: 1, schedule: schedule)
        #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 0)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 1))
    }

    /// Issue 9, defect 6: X1 and X2 reserve; X2's reservation sets the lock; X1 is refused elsewhere and refunds.
    /// The refund used to lift X2's lock.
    @Test func aRefundNeverLiftsALockAnotherReservationSet() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice")
        _ = try await store.reserveAttempt(key, schedule: schedule)
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))  // X1: no lock yet
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 3))  // X2: locks 10 s
        try await store.refundAttempt(key, admittedAs: 2, schedule: schedule)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 2, retryAfter: .seconds(10), hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .locked(retryAfter: .seconds(10)))
        // Refunded after X1, X2 can no longer tell the lock is its own: it stays, erring toward locking.
        try await store.refundAttempt(key, admittedAs: 3, schedule: schedule)
        #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 1, retryAfter: .seconds(10), hardLocked: false))
        // The kept lock ends when it was set to, and the count goes on from what is left.
        clock.advance(by: .seconds(10))
        #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))
    }

    @Test func aRefundKeepsALaterLockEvenWhenTheCountReachesZero() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        let strict = LockoutSchedule(
            threshold: 2, initialWait: .seconds(30), maximumWait: .seconds(30), hardLockAfter: 8,
            failureMemory: .seconds(3600))
        #expect(try await store.reserveAttempt(key, schedule: strict) == .admitted(failures: 1))
        #expect(try await store.reserveAttempt(key, schedule: strict) == .admitted(failures: 2))
        try await store.refundAttempt(key, admittedAs: 1, schedule: strict)
        try await store.refundAttempt(key, admittedAs: 2, schedule: strict)
        #expect(try await store.lockoutStatus(key, schedule: strict) == LockoutStatus(failures: 0, retryAfter: .seconds(30), hardLocked: false))
        #expect(try await store.reserveAttempt(key, schedule: strict) == .locked(retryAfter: .seconds(30)))
    }

    @Test func aRefundOfACountNoScheduleAdmitsIsRefused() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        _ = try await store.reserveAttempt(key, schedule: schedule)
        for count in [0, -1, schedule.hardLockAfter + 1] {
            await #expect(throws: StateStoreError.self) {
                try await store.refundAttempt(key, admittedAs: count, schedule: schedule)
            }
        }
        #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 1)
    }

    @Test func parallelReservationsAdmitExactlyTheBudget() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        let budget = LockoutSchedule(
            threshold: 5, initialWait: .seconds(60), maximumWait: .seconds(3600), hardLockAfter: 100,
            failureMemory: .seconds(3600)
        )
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    if case .admitted = try await store.reserveAttempt(key, schedule: budget) { return true }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 5)
        #expect(try await store.lockoutStatus(key, schedule: budget).failures == 5)
    }

    @Test(arguments: [
        LockoutSchedule(threshold: 0, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 5, failureMemory: .seconds(1)),
        LockoutSchedule(threshold: 1, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 101, failureMemory: .seconds(1)),
        LockoutSchedule(threshold: 1, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 0, failureMemory: .seconds(1)),
        LockoutSchedule(threshold: 1, initialWait: .seconds(2), maximumWait: .seconds(1), hardLockAfter: 5, failureMemory: .seconds(1)),
        LockoutSchedule(threshold: 1, initialWait: .seconds(-1), maximumWait: .seconds(1), hardLockAfter: 5, failureMemory: .seconds(1)),
        LockoutSchedule(threshold: 1, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 5, failureMemory: .zero),
        LockoutSchedule(threshold: 1, initialWait: .seconds(1), maximumWait: StateStoreBounds.maximumDuration + .seconds(1), hardLockAfter: 5, failureMemory: .seconds(1)),
    ])
    func outOfRangeSchedulesAreRefused(schedule: LockoutSchedule) async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        await #expect(throws: StateStoreError.self) { try await store.reserveAttempt(key, schedule: schedule) }
        await #expect(throws: StateStoreError.self) { try await store.lockoutStatus(key, schedule: schedule) }
        await #expect(throws: StateStoreError.self) { try await store.refundAttempt(key, admittedAs: 1, schedule: schedule) }
    }
}
