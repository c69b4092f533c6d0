import Testing
@testable import Deadbolt

@Suite struct InMemoryStateStoreTests {
    // MARK: Counters

    @Test func counterAdvancesOnlyWhenGreater() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice", namespace: "otp-step")
        #expect(try await store.advanceCounter(key, to: 10, ttl: .seconds(90)))
        #expect(try await store.advanceCounter(key, to: 10, ttl: .seconds(90)) == false)
        #expect(try await store.advanceCounter(key, to: 9, ttl: .seconds(90)) == false)
        #expect(try await store.advanceCounter(key, to: 11, ttl: .seconds(90)))
        clock.advance(by: .seconds(89))
        #expect(try await store.advanceCounter(key, to: 11, ttl: .seconds(90)) == false)
        clock.advance(by: .seconds(1))
        // Expired: a replay window has passed, so any value is new again.
        #expect(try await store.advanceCounter(key, to: 1, ttl: .seconds(90)))
    }

    @Test func aReplayDoesNotExtendTheCounterLifetime() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice", namespace: "otp-step")
        #expect(try await store.advanceCounter(key, to: 5, ttl: .seconds(10)))
        clock.advance(by: .seconds(9))
        #expect(try await store.advanceCounter(key, to: 5, ttl: .seconds(10)) == false)
        clock.advance(by: .seconds(1))
        #expect(try await store.advanceCounter(key, to: 5, ttl: .seconds(10)))
    }

    @Test func racingAdvancesWithTheSameValueAdvanceOnce() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "otp-step")
        let advanced = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { try await store.advanceCounter(key, to: 42, ttl: .seconds(60)) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(advanced == 1)
    }

    // MARK: Codes

    @Test func aCodeRedeemsOnceWithItsContext() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "code", name: "email")
        try await store.putCode(key, digest: [1, 2, 3], context: [9, 9], tries: 3, ttl: .seconds(600))
        #expect(try await store.redeemCode(key, digest: [1, 2, 3]) == .redeemed(context: [9, 9]))
        #expect(try await store.redeemCode(key, digest: [1, 2, 3]) == .absent)
    }

    @Test func wrongDigestsSpendTriesUntilTheCodeDies() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "code")
        try await store.putCode(key, digest: [1, 2, 3], context: [], tries: 3, ttl: .seconds(600))
        #expect(try await store.redeemCode(key, digest: [1, 2, 4]) == .mismatch(triesLeft: 2))
        #expect(try await store.redeemCode(key, digest: [1, 2]) == .mismatch(triesLeft: 1))
        #expect(try await store.redeemCode(key, digest: [7]) == .mismatch(triesLeft: 0))
        // Out of tries: even the right code is gone.
        #expect(try await store.redeemCode(key, digest: [1, 2, 3]) == .absent)
    }

    @Test func aCodeExpiresAndAPutReplaces() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice", namespace: "code")
        try await store.putCode(key, digest: [1], context: [], tries: 3, ttl: .seconds(60))
        try await store.putCode(key, digest: [2], context: [5], tries: 3, ttl: .seconds(60))
        #expect(try await store.redeemCode(key, digest: [1]) == .mismatch(triesLeft: 2))
        clock.advance(by: .seconds(60))
        #expect(try await store.redeemCode(key, digest: [2]) == .absent)
        #expect(try await store.redeemCode(try testKey("bob", namespace: "code"), digest: [2]) == .absent)
    }

    @Test func racingRedemptionsRedeemOnce() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "code")
        try await store.putCode(key, digest: [4, 2], context: [1], tries: 1000, ttl: .seconds(60))
        let redeemed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    if case .redeemed = try await store.redeemCode(key, digest: [4, 2]) { return true }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(redeemed == 1)
    }

    @Test func codeSetsRedeemEachMemberOnce() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice", namespace: "recovery")
        try await store.putCodeSet(key, digests: [[1], [2], [3], [2]], ttl: .seconds(3600))
        #expect(try await store.codeSetCount(key) == 3)
        #expect(try await store.redeemFromCodeSet(key, digest: [2]) == 2)
        #expect(try await store.redeemFromCodeSet(key, digest: [2]) == nil)
        #expect(try await store.redeemFromCodeSet(key, digest: [9]) == nil)
        #expect(try await store.redeemFromCodeSet(key, digest: [1]) == 1)
        #expect(try await store.redeemFromCodeSet(key, digest: [3]) == 0)
        #expect(try await store.codeSetCount(key) == 0)
        try await store.putCodeSet(key, digests: [[7]], ttl: .seconds(10))
        clock.advance(by: .seconds(10))
        #expect(try await store.codeSetCount(key) == 0)
        #expect(try await store.redeemFromCodeSet(key, digest: [7]) == nil)
    }

    @Test func aNewCodeSetReplacesTheOldAndAnEmptyOneRemoves() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "recovery")
        try await store.putCodeSet(key, digests: [[1], [2]], ttl: .seconds(3600))
        try await store.putCodeSet(key, digests: [[3]], ttl: .seconds(3600))
        #expect(try await store.redeemFromCodeSet(key, digest: [1]) == nil)
        #expect(try await store.codeSetCount(key) == 1)
        try await store.putCodeSet(key, digests: [], ttl: .seconds(3600))
        #expect(try await store.codeSetCount(key) == 0)
    }

    @Test func racingSetRedemptionsRedeemOnce() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "recovery")
        try await store.putCodeSet(key, digests: [[1], [2], [3]], ttl: .seconds(3600))
        let redeemed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { try await store.redeemFromCodeSet(key, digest: [2]) != nil } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(redeemed == 1)
        #expect(try await store.codeSetCount(key) == 2)
    }

    // MARK: Claims, removal, kinds

    @Test func aClaimHoldsForItsTTL() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice", namespace: "resend")
        #expect(try await store.claim(key, ttl: .seconds(30)))
        #expect(try await store.claim(key, ttl: .seconds(30)) == false)
        clock.advance(by: .seconds(30))
        #expect(try await store.claim(key, ttl: .seconds(30)))
        try await store.remove(key)
        #expect(try await store.claim(key, ttl: .seconds(30)))
    }

    @Test func racingClaimsSucceedOnce() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "resend")
        let claimed = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { try await store.claim(key, ttl: .seconds(30)) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(claimed == 1)
    }

    @Test func removeDeletesAnyKind() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice", namespace: "code")
        try await store.putCode(key, digest: [1], context: [], tries: 1, ttl: .seconds(60))
        try await store.remove(key)
        #expect(try await store.redeemCode(key, digest: [1]) == .absent)
        try await store.remove(key)
        #expect(store.count == 0)
    }

    @Test func aKeyHoldingAnotherKindIsRefused() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        try await store.putCode(key, digest: [1], context: [], tries: 1, ttl: .seconds(60))
        await #expect(throws: StateStoreError.self) { try await store.advanceCounter(key, to: 1, ttl: .seconds(1)) }
        await #expect(throws: StateStoreError.self) {
            try await store.acquireToken(key, limit: RateLimit(burst: 1, interval: .seconds(1)))
        }
        await #expect(throws: StateStoreError.self) { try await store.resetAttempts(key) }
        await #expect(throws: StateStoreError.self) { try await store.codeSetCount(key) }
        await #expect(throws: StateStoreError.self) { try await store.recentEvents(key, limit: 1) }
        // The code is untouched by the refused operations.
        #expect(try await store.redeemCode(key, digest: [1]) == .redeemed(context: []))
    }

    // MARK: Events

    @Test func eventListsKeepTheNewestNewestFirst() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("alice", namespace: "events")
        for value in UInt8(1)...5 { try await store.appendEvent(key, [value], keepLast: 3, ttl: .seconds(60)) }
        #expect(try await store.recentEvents(key, limit: 10) == [[5], [4], [3]])
        #expect(try await store.recentEvents(key, limit: 2) == [[5], [4]])
        #expect(try await store.recentEvents(key, limit: 0) == [])
        clock.advance(by: .seconds(59))
        try await store.appendEvent(key, [6], keepLast: 3, ttl: .seconds(60))
        clock.advance(by: .seconds(59))
        // The TTL runs from the last append.
        #expect(try await store.recentEvents(key, limit: 10) == [[6], [5], [4]])
        clock.advance(by: .seconds(1))
        #expect(try await store.recentEvents(key, limit: 10) == [])
    }

    // MARK: Bounds

    @Test func outOfRangeArgumentsAreRefused() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("alice")
        let long = [UInt8](repeating: 1, count: 65)
        await #expect(throws: StateStoreError.self) { try await store.advanceCounter(key, to: 1, ttl: .zero) }
        await #expect(throws: StateStoreError.self) {
            try await store.advanceCounter(key, to: 1, ttl: StateStoreBounds.maximumDuration + .seconds(1))
        }
        await #expect(throws: StateStoreError.self) {
            try await store.putCode(key, digest: long, context: [], tries: 1, ttl: .seconds(1))
        }
        await #expect(throws: StateStoreError.self) {
            try await store.putCode(key, digest: [], context: [], tries: 1, ttl: .seconds(1))
        }
        await #expect(throws: StateStoreError.self) {
            try await store.putCode(key, digest: [1], context: [UInt8](repeating: 0, count: 1025), tries: 1, ttl: .seconds(1))
        }
        await #expect(throws: StateStoreError.self) {
            try await store.putCode(key, digest: [1], context: [], tries: 0, ttl: .seconds(1))
        }
        await #expect(throws: StateStoreError.self) { try await store.redeemCode(key, digest: long) }
        await #expect(throws: StateStoreError.self) {
            try await store.putCodeSet(key, digests: Array(repeating: [1], count: 101), ttl: .seconds(1))
        }
        await #expect(throws: StateStoreError.self) { try await store.putCodeSet(key, digests: [[]], ttl: .seconds(1)) }
        await #expect(throws: StateStoreError.self) { try await store.claim(key, ttl: .seconds(-1)) }
        await #expect(throws: StateStoreError.self) {
            try await store.appendEvent(key, [], keepLast: 1, ttl: .seconds(1))
        }
        await #expect(throws: StateStoreError.self) {
            try await store.appendEvent(key, [UInt8](repeating: 0, count: 2049), keepLast: 1, ttl: .seconds(1))
        }
        await #expect(throws: StateStoreError.self) { try await store.appendEvent(key, [1], keepLast: 0, ttl: .seconds(1)) }
        await #expect(throws: StateStoreError.self) { try await store.recentEvents(key, limit: -1) }
        await #expect(throws: StateStoreError.self) { try await store.recentEvents(key, limit: 1001) }
        #expect(store.count == 0)
        #expect(throws: StateStoreError.self) { try InMemoryStateStore(maximumKeys: 0) }
    }

    // MARK: Capacity

    @Test func aFloodOfDistinctKeysStaysWithinTheCapacity() async throws {
        let (store, _) = try makeStore(maximumKeys: 1000)
        let schedule = LockoutSchedule.accountDefault
        var highest = 0
        var refused = 0
        for index in 0..<20_000 {
            do {
                _ = try await store.reserveAttempt(try testKey("user\(index)", namespace: "lockout"), schedule: schedule)
            } catch StateStoreError.capacityExceeded {
                refused += 1
            }
            if index % 1000 == 999 { highest = max(highest, store.count) }
        }
        #expect(highest <= 1000)
        #expect(store.count <= 1000)
        #expect(refused >= 19_000)
        // Failure counts are never evicted: the oldest count is still there, and only new keys were refused.
        let oldest = try await store.lockoutStatus(try testKey("user0", namespace: "lockout"), schedule: schedule)
        #expect(oldest.failures == 1)
        #expect(try await store.reserveAttempt(try testKey("user0", namespace: "lockout"), schedule: schedule) == .admitted(failures: 2))
    }

    /// Issue 9, defect 2: a full store evicts only rate-limit buckets and event lists, nearest expiry first; every
    /// other kind of state stays, and a new key that finds nothing expendable is refused.
    @Test func onlyExpendableEntriesAreEvicted() async throws {
        let (store, _) = try makeStore(maximumKeys: 16)
        let rate = RateLimit(burst: 10, interval: .seconds(60))
        let schedule = LockoutSchedule.accountDefault
        // Four expendable entries (buckets expiring in 60 and 120 s, event lists in 30 and 90 s).
        _ = try await store.acquireToken(try testKey("bucket-60", namespace: "rate"), limit: rate)
        for _ in 0..<2 { _ = try await store.acquireToken(try testKey("bucket-120", namespace: "rate"), limit: rate) }
        try await store.appendEvent(try testKey("events-30", namespace: "events"), [1], keepLast: 5, ttl: .seconds(30))
        try await store.appendEvent(try testKey("events-90", namespace: "events"), [1], keepLast: 5, ttl: .seconds(90))
        // Twelve entries holding security state, all expiring before any expendable one would.
        for index in 0..<4 { _ = try await store.reserveAttempt(try testKey("count\(index)", namespace: "lockout"), schedule: schedule) }
        for index in 0..<2 { #expect(try await store.advanceCounter(try testKey("step\(index)", namespace: "otp-step"), to: 9, ttl: .seconds(5))) }
        for index in 0..<2 { try await store.putCode(try testKey("code\(index)", namespace: "code"), digest: [1], context: [], tries: 3, ttl: .seconds(5)) }
        for index in 0..<2 { try await store.putCodeSet(try testKey("set\(index)", namespace: "recovery"), digests: [[1]], ttl: .seconds(5)) }
        for index in 0..<2 { #expect(try await store.claim(try testKey("claim\(index)"), ttl: .seconds(5))) }
        #expect(store.count == 16)
        // Four new keys evict the four expendable entries, nearest expiry first (the event lists are read without
        // touching them); a fifth is refused.
        let events30 = try testKey("events-30", namespace: "events")
        let events90 = try testKey("events-90", namespace: "events")
        func newcomer(_ index: Int) async throws {
            _ = try await store.reserveAttempt(try testKey("newcomer\(index)", namespace: "lockout"), schedule: schedule)
            #expect(store.count == 16)
        }
        try await newcomer(0)
        #expect(try await store.recentEvents(events30, limit: 5) == [])
        #expect(try await store.recentEvents(events90, limit: 5) == [[1]])
        try await newcomer(1)  // the 60 s bucket
        #expect(try await store.recentEvents(events90, limit: 5) == [[1]])
        try await newcomer(2)
        #expect(try await store.recentEvents(events90, limit: 5) == [])
        try await newcomer(3)  // the 120 s bucket
        // The buckets are gone: taking a token needs a new key, and there is no room for one.
        for bucket in ["bucket-60", "bucket-120"] {
            await #expect(throws: StateStoreError.capacityExceeded) {
                try await store.acquireToken(try testKey(bucket, namespace: "rate"), limit: rate)
            }
        }
        await #expect(throws: StateStoreError.capacityExceeded) {
            try await store.reserveAttempt(try testKey("one-too-many", namespace: "lockout"), schedule: schedule)
        }
        for index in 0..<4 {
            #expect(try await store.lockoutStatus(try testKey("count\(index)", namespace: "lockout"), schedule: schedule).failures == 1)
        }
        for index in 0..<2 {
            #expect(try await store.advanceCounter(try testKey("step\(index)", namespace: "otp-step"), to: 9, ttl: .seconds(5)) == false)
            #expect(try await store.redeemCode(try testKey("code\(index)", namespace: "code"), digest: [1]) == .redeemed(context: []))
            #expect(try await store.codeSetCount(try testKey("set\(index)", namespace: "recovery")) == 1)
            #expect(try await store.claim(try testKey("claim\(index)"), ttl: .seconds(5)) == false)
        }
    }

    @Test func refuseEvictsNothingLive() async throws {
        let (store, _) = try makeStore(maximumKeys: 16, whenFull: .refuse)
        let rate = RateLimit(burst: 10, interval: .seconds(60))
        for index in 0..<16 { _ = try await store.acquireToken(try testKey("bucket\(index)", namespace: "rate"), limit: rate) }
        await #expect(throws: StateStoreError.capacityExceeded) {
            try await store.acquireToken(try testKey("newcomer", namespace: "rate"), limit: rate)
        }
        #expect(try await store.acquireToken(try testKey("bucket0", namespace: "rate"), limit: rate) == .allowed(remaining: 8))
    }

    @Test func expiredEntriesAreSweptBeforeAnythingLiveIsEvicted() async throws {
        let (store, clock) = try makeStore(maximumKeys: 16, whenFull: .refuse)
        for index in 0..<16 { #expect(try await store.claim(try testKey("short\(index)"), ttl: .seconds(10))) }
        await #expect(throws: StateStoreError.capacityExceeded) {
            try await store.claim(try testKey("one-more"), ttl: .seconds(10))
        }
        clock.advance(by: .seconds(10))
        #expect(try await store.claim(try testKey("one-more"), ttl: .seconds(10)))
        #expect(store.count == 1)
    }

    @Test func evictionTakesTheExpendableEntryNearestExpiry() async throws {
        let (store, _) = try makeStore(maximumKeys: 16)
        let soon = RateLimit(burst: 1, interval: .seconds(5))
        let later = RateLimit(burst: 1, interval: .seconds(100))
        #expect(try await store.acquireToken(try testKey("soonest"), limit: soon) == .allowed(remaining: 0))
        for index in 0..<15 { #expect(try await store.acquireToken(try testKey("later\(index)"), limit: later) == .allowed(remaining: 0)) }
        #expect(try await store.acquireToken(try testKey("newcomer"), limit: later) == .allowed(remaining: 0))
        #expect(store.count == 16)
        #expect(try await store.acquireToken(try testKey("soonest"), limit: soon) == .allowed(remaining: 0), "the nearest-expiry entry was evicted")
        for index in 0..<14 {
            #expect(try await store.acquireToken(try testKey("later\(index)"), limit: later) != .allowed(remaining: 0))
        }
    }

    @Test func hardLocksAreNeverEvicted() async throws {
        let (store, _) = try makeStore(maximumKeys: 16)
        let instant = LockoutSchedule(
            threshold: 10, initialWait: .zero, maximumWait: .zero, hardLockAfter: 1, failureMemory: .seconds(60)
        )
        for index in 0..<16 {
            _ = try await store.reserveAttempt(try testKey("victim\(index)", namespace: "lockout"), schedule: instant)
        }
        await #expect(throws: StateStoreError.capacityExceeded) {
            try await store.claim(try testKey("flood"), ttl: .seconds(1))
        }
        for index in 0..<16 {
            let key = try testKey("victim\(index)", namespace: "lockout")
            #expect(try await store.reserveAttempt(key, schedule: instant) == .hardLocked)
        }
    }

    @Test func updatingAnExistingKeyNeverEvicts() async throws {
        let (store, _) = try makeStore(maximumKeys: 16, whenFull: .refuse)
        for index in 0..<16 { _ = try await store.advanceCounter(try testKey("k\(index)"), to: 1, ttl: .seconds(60)) }
        for index in 0..<16 {
            #expect(try await store.advanceCounter(try testKey("k\(index)"), to: 2, ttl: .seconds(60)))
        }
        #expect(store.count == 16)
    }

    @Test func manyRewritesOfOneKeyKeepTheStoreSmall() async throws {
        // Each rewrite leaves a stale expiry behind; compaction must keep them from piling up unboundedly.
        let (store, clock) = try makeStore(maximumKeys: 16)
        let key = try testKey("hot")
        let limit = RateLimit(burst: 10_000, interval: .milliseconds(1))
        for _ in 0..<50_000 {
            _ = try await store.acquireToken(key, limit: limit)
            clock.advance(by: .milliseconds(1))
        }
        #expect(store.count == 1)
        #expect(store.expiryRecordCount <= 2 * 1 + 64 + 1)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 9_999))
    }
}
