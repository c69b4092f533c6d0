import Testing
@testable import Deadbolt

/// A policy on a fresh store and manual clock, recording its events.
private func makePolicy(
    _ configuration: LockoutPolicy.Configuration = .init(), store: (any StateStore)? = nil
) throws -> (LockoutPolicy, ManualClock, RecordingEventSink, any StateStore) {
    let clock = ManualClock()
    let backing = store ?? InMemoryStateStore(clock: clock)
    let events = RecordingEventSink()
    let policy = try LockoutPolicy(store: backing, configuration: configuration, events: events, wallClock: clock)
    return (policy, clock, events, backing)
}

/// Reserves and, when admitted, fails the attempt; returns the decision.
@discardableResult
private func failOnce(_ policy: LockoutPolicy, _ account: String, from source: String? = nil) async throws
    -> LockoutDecision
{
    let decision = try await policy.reserve(account: account, source: source)
    if case .admitted(let ticket) = decision { await policy.failed(ticket) }
    return decision
}

/// Reserves and, when admitted, succeeds; returns whether it was admitted.
@discardableResult
private func succeedOnce(_ policy: LockoutPolicy, _ account: String, from source: String? = nil) async throws
    -> Bool
{
    guard case .admitted(let ticket) = try await policy.reserve(account: account, source: source) else { return false }
    await policy.succeeded(ticket)
    return true
}

private func isAdmitted(_ decision: LockoutDecision) -> Bool {
    if case .admitted = decision { return true }
    return false
}

@Suite struct LimitsLockoutPolicyTests {
    @Test func defaultsAreTheDocumentedNumbers() {
        let defaults = LockoutPolicy.Configuration()
        #expect(defaults.purpose == "login")
        #expect(defaults.account.threshold == 5)
        #expect(defaults.account.initialWait == .seconds(60))
        #expect(defaults.account.maximumWait == .seconds(3600))
        #expect(defaults.account.hardLockAfter == 100)
        #expect(defaults.account.failureMemory == .seconds(86_400))
        #expect(defaults.accountSource == defaults.account)
        #expect(defaults.source == RateLimit(burst: 100, interval: .seconds(36)))
        #expect(defaults.whenStoreFails == .failClosed)
    }

    @Test func fiveFailuresThenEachDoublingWaitUpToTheCap() async throws {
        let (policy, clock, _, _) = try makePolicy()
        for _ in 0..<5 { #expect(isAdmitted(try await failOnce(policy, "alice"))) }
        #expect(try await failOnce(policy, "alice") == .locked(retryAfter: .seconds(60)))
        var wait = Duration.seconds(60)
        for _ in 0..<8 {
            clock.advance(by: wait - .seconds(1))
            #expect(try await failOnce(policy, "alice") == .locked(retryAfter: .seconds(1)))
            clock.advance(by: .seconds(1))
            #expect(isAdmitted(try await failOnce(policy, "alice")))
            wait = min(wait * 2, .seconds(3600))
            #expect(try await failOnce(policy, "alice") == .locked(retryAfter: wait))
        }
        #expect(wait == .seconds(3600))
        #expect(try await policy.status(account: "alice").failures == 13)
    }

    @Test func accountsAreIndependent() async throws {
        let (policy, _, _, _) = try makePolicy()
        for _ in 0..<5 { try await failOnce(policy, "alice") }
        #expect(try await failOnce(policy, "alice") == .locked(retryAfter: .seconds(60)))
        #expect(isAdmitted(try await failOnce(policy, "bob")))
    }

    @Test func successResetsTheAccountCount() async throws {
        let (policy, _, _, _) = try makePolicy()
        for _ in 0..<4 { try await failOnce(policy, "alice", from: "10.0.0.1") }
        #expect(try await succeedOnce(policy, "alice", from: "10.0.0.1"))
        #expect(try await policy.status(account: "alice").failures == 0)
        for _ in 0..<5 { #expect(isAdmitted(try await failOnce(policy, "alice", from: "10.0.0.1"))) }
        #expect(try await failOnce(policy, "alice", from: "10.0.0.1") == .locked(retryAfter: .seconds(60)))
    }

    @Test func hardLockAfterTheLimitUntilCleared() async throws {
        var configuration = LockoutPolicy.Configuration()
        configuration.account = LockoutSchedule(
            threshold: 100, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 3,
            failureMemory: .seconds(3600)
        )
        let (policy, clock, events, _) = try makePolicy(configuration)
        for _ in 0..<3 { #expect(isAdmitted(try await failOnce(policy, "alice"))) }
        #expect(events.kinds().last == .hardLocked)
        #expect(try await failOnce(policy, "alice") == .hardLocked)
        #expect(try await policy.status(account: "alice").hardLocked)
        clock.advance(by: .seconds(365 * 24 * 3600))
        #expect(try await failOnce(policy, "alice", from: "192.0.2.7") == .hardLocked)
        try await policy.clear(account: "alice")
        #expect(events.kinds().last == .unlocked)
        #expect(try await succeedOnce(policy, "alice"))
    }

    @Test func theDefaultHardLockIsAtOneHundredFailures() async throws {
        let (policy, clock, _, _) = try makePolicy()
        for _ in 0..<100 {
            #expect(isAdmitted(try await failOnce(policy, "alice")))
            clock.advance(by: .seconds(3600))
        }
        #expect(try await failOnce(policy, "alice") == .hardLocked)
    }

    @Test func aSourceIsLimitedAcrossAccounts() async throws {
        var configuration = LockoutPolicy.Configuration()
        configuration.source = RateLimit(burst: 3, interval: .seconds(36))
        let (policy, clock, _, _) = try makePolicy(configuration)
        for index in 0..<3 { #expect(isAdmitted(try await failOnce(policy, "user\(index)", from: "203.0.113.9"))) }
        #expect(try await failOnce(policy, "user9", from: "203.0.113.9") == .locked(retryAfter: .seconds(36)))
        #expect(isAdmitted(try await failOnce(policy, "user9", from: "198.51.100.1")))
        clock.advance(by: .seconds(36))
        #expect(isAdmitted(try await failOnce(policy, "user9", from: "203.0.113.9")))
        // The refused spraying attempt never touched user9's count: only the two admitted ones did.
        #expect(try await policy.status(account: "user9").failures == 2)
    }

    @Test func successRefundsTheSourceBudget() async throws {
        var configuration = LockoutPolicy.Configuration()
        configuration.source = RateLimit(burst: 2, interval: .seconds(36))
        let (policy, _, _, _) = try makePolicy(configuration)
        for index in 0..<10 { #expect(try await succeedOnce(policy, "user\(index)", from: "198.51.100.1")) }
        #expect(isAdmitted(try await failOnce(policy, "a", from: "198.51.100.1")))
        #expect(isAdmitted(try await failOnce(policy, "b", from: "198.51.100.1")))
        #expect(try await failOnce(policy, "c", from: "198.51.100.1") == .locked(retryAfter: .seconds(36)))
    }

    @Test func aTicketSettlesOnce() async throws {
        var configuration = LockoutPolicy.Configuration()
        configuration.source = RateLimit(burst: 2, interval: .seconds(36))
        let (policy, _, events, _) = try makePolicy(configuration)
        guard case .admitted(let first) = try await policy.reserve(account: "a", source: "s"),
            case .admitted = try await policy.reserve(account: "b", source: "s")
        else {
            Issue.record("expected two admissions")
            return
        }
        await policy.succeeded(first)
        await policy.succeeded(first)
        await policy.failed(first)
        #expect(events.kinds().filter { $0 == .attemptSucceeded || $0 == .attemptFailed } == [.attemptSucceeded])
        // One refund, not two: one more is admitted, then the source is empty.
        #expect(isAdmitted(try await policy.reserve(account: "c", source: "s")))
        #expect(try await policy.reserve(account: "d", source: "s") == .locked(retryAfter: .seconds(36)))
    }

    @Test func refusedAttemptsAreRefundedEverywhere() async throws {
        var configuration = LockoutPolicy.Configuration()
        configuration.account = LockoutSchedule(
            threshold: 2, initialWait: .seconds(600), maximumWait: .seconds(600), hardLockAfter: 100,
            failureMemory: .seconds(3600)
        )
        configuration.source = RateLimit(burst: 3, interval: .seconds(36))
        let (policy, _, _, store) = try makePolicy(configuration)
        try await failOnce(policy, "alice", from: "198.51.100.1")
        try await failOnce(policy, "alice", from: "198.51.100.2")
        for _ in 0..<10 {
            #expect(try await failOnce(policy, "alice", from: "198.51.100.3") == .locked(retryAfter: .seconds(600)))
        }
        // 198.51.100.3 was refused by the account's lock, so its own budgets were given back in full.
        let pair = try StateKey(namespace: "lockout-source", identifier: "alice", name: "login:198.51.100.3")
        #expect(try await store.lockoutStatus(pair, schedule: configuration.accountSource).failures == 0)
        for index in 0..<3 { #expect(isAdmitted(try await failOnce(policy, "user\(index)", from: "198.51.100.3"))) }
        #expect(try await failOnce(policy, "user9", from: "198.51.100.3") == .locked(retryAfter: .seconds(36)))
    }

    /// Issue 9, defect 2: the default store evicted the entry nearest expiry when full, which a victim's failure
    /// count (older than the flood's keys) always was, so ~100k reservations for made-up accounts from many
    /// addresses reset the victim's path to the hard lock. Counts are never evicted now: the flood is refused.
    @Test func aFloodOfMadeUpAccountsNeverResetsAVictimsCount() async throws {
        let clock = ManualClock()
        let store = InMemoryStateStore(clock: clock)
        let (policy, _, _, _) = try makePolicy(store: store)
        for _ in 0..<4 { try await failOnce(policy, "victim@example.com", from: "2001:db8::1") }
        #expect(try await policy.status(account: "victim@example.com").failures == 4)
        // The flood comes after the victim's failures, so the victim's count is the one nearest expiry.
        clock.advance(by: .seconds(1))
        // 100,000 reservations for random accounts, 100 from each of 1,000 addresses (the source budget's burst).
        var unavailable = 0
        for address in 0..<1_000 {
            for _ in 0..<100 {
                let account = "user-\(UInt64.random(in: 0...UInt64.max))@example.com"
                if try await failOnce(policy, account, from: "2001:db8:\(address)::1") == .unavailable { unavailable += 1 }
            }
        }
        // The flood filled the store and was refused from then on (failing closed), never evicting a count.
        #expect(store.count >= InMemoryStateStore.defaultMaximumKeys - 1_000)
        #expect(unavailable >= 40_000)
        #expect(try await policy.status(account: "victim@example.com").failures == 4)
        // The victim's path to the lock is where it was: the fifth failure is admitted, the sixth locked.
        #expect(isAdmitted(try await failOnce(policy, "victim@example.com")))
        #expect(try await failOnce(policy, "victim@example.com") == .locked(retryAfter: .seconds(60)))
    }

    /// Issue 9, defect 6: X1 and X2 reserve the account+source pair; X2's reservation sets the pair's lock; X1's
    /// account reservation is refused (X2 locked the account) and X1 refunds the pair. That refund lifted X2's lock.
    @Test func aRefusedAttemptsRefundKeepsTheLockAnotherAttemptSet() async throws {
        var configuration = LockoutPolicy.Configuration()
        configuration.accountSource = LockoutSchedule(
            threshold: 2, initialWait: .seconds(60), maximumWait: .seconds(60), hardLockAfter: 100,
            failureMemory: .seconds(3600))
        configuration.account = LockoutSchedule(
            threshold: 1, initialWait: .seconds(60), maximumWait: .seconds(60), hardLockAfter: 100,
            failureMemory: .seconds(3600))
        let accountKey = try StateKey(namespace: "lockout", identifier: "alice", name: "login")
        let checkpoint = Checkpoint()
        let store = FaultInjectingStateStore(InMemoryStateStore(clock: ManualClock()), failing: []) { key in
            if key == accountKey { await checkpoint.holdFirst() }
        }
        let (policy, _, _, _) = try makePolicy(configuration, store: store)
        // X1 takes the pair's first failure (no lock yet) and is held before the account's budget.
        let x1 = Task { try await policy.reserve(account: "alice", source: "203.0.113.9") }
        await checkpoint.waitUntilHeld()
        // X2 takes the pair's second failure, which locks the pair, and the account's first, which locks it.
        guard case .admitted(let x2) = try await policy.reserve(account: "alice", source: "203.0.113.9") else {
            Issue.record("X2 was not admitted")
            return
        }
        await policy.failed(x2)
        await checkpoint.open()
        #expect(try await x1.value == .locked(retryAfter: .seconds(60)))
        let pair = try StateKey(namespace: "lockout-source", identifier: "alice", name: "login:203.0.113.9")
        #expect(
            try await store.lockoutStatus(pair, schedule: configuration.accountSource)
                == LockoutStatus(failures: 1, retryAfter: .seconds(60), hardLocked: false))
    }

    @Test func anAttackersAddressStaysLockedAfterTheOwnerLogsIn() async throws {
        let (policy, clock, _, _) = try makePolicy()
        for _ in 0..<5 { try await failOnce(policy, "alice", from: "203.0.113.66") }
        clock.advance(by: .seconds(60))
        #expect(try await succeedOnce(policy, "alice", from: "192.0.2.10"))
        #expect(try await policy.status(account: "alice").failures == 0)
        // The attacker's sixth failure counts as their sixth, not their first, so it locks them (only) again.
        #expect(isAdmitted(try await failOnce(policy, "alice", from: "203.0.113.66")))
        #expect(try await failOnce(policy, "alice", from: "203.0.113.66") == .locked(retryAfter: .seconds(120)))
        #expect(try await succeedOnce(policy, "alice", from: "192.0.2.10"))
    }

    @Test func eventsTellWhatHappenedAndNothingMore() async throws {
        let (policy, _, events, _) = try makePolicy()
        for _ in 0..<5 { try await failOnce(policy, "alice", from: "192.0.2.1") }
        try await failOnce(policy, "alice", from: "192.0.2.1")
        #expect(
            events.kinds() == [
                .attemptFailed, .attemptFailed, .attemptFailed, .attemptFailed, .attemptFailed, .locked, .attemptBlocked,
            ]
        )
        let locked = events.events[5]
        #expect(locked.account == "alice")
        #expect(locked.source == "192.0.2.1")
        #expect(locked.failures == 5)
        #expect(locked.retryAfter == .seconds(60))
        #expect(events.events[6].retryAfter == .seconds(60))
        #expect(events.events[0].millisecondsSinceEpoch == 1_735_689_600_000)
    }

    @Test func failsClosedOnAStoreError() async throws {
        let clock = ManualClock()
        let failing = FaultInjectingStateStore(InMemoryStateStore(clock: clock))
        let (policy, _, events, _) = try makePolicy(store: failing)
        #expect(try await policy.reserve(account: "alice", source: "192.0.2.1") == .unavailable)
        #expect(events.kinds().first == .storeUnavailable)
        #expect(events.events.first?.account == "alice")
    }

    @Test func failClosedMidwayRefundsWhatWasTaken() async throws {
        let clock = ManualClock()
        let inner = InMemoryStateStore(clock: clock)
        let failing = FaultInjectingStateStore(inner, failing: [.reserveAttempt])
        var configuration = LockoutPolicy.Configuration()
        configuration.source = RateLimit(burst: 1, interval: .seconds(36))
        let (policy, _, _, _) = try makePolicy(configuration, store: failing)
        #expect(try await policy.reserve(account: "alice", source: "192.0.2.1") == .unavailable)
        failing.setFailing([])
        // The source token taken before the failure was given back.
        #expect(isAdmitted(try await policy.reserve(account: "alice", source: "192.0.2.1")))
    }

    @Test func failsOpenWhenConfigured() async throws {
        let clock = ManualClock()
        let failing = FaultInjectingStateStore(InMemoryStateStore(clock: clock))
        var configuration = LockoutPolicy.Configuration()
        configuration.whenStoreFails = .failOpen
        let (policy, _, events, _) = try makePolicy(configuration, store: failing)
        guard case .admitted(let ticket) = try await policy.reserve(account: "alice", source: "192.0.2.1") else {
            Issue.record("a fail-open policy admits when the store fails")
            return
        }
        #expect(ticket.failures == nil)
        await policy.succeeded(ticket)
        #expect(events.kinds() == [.storeUnavailable, .storeUnavailable, .attemptSucceeded])
    }

    @Test func invalidIdentifiersThrowBeforeAnythingIsReserved() async throws {
        let (policy, _, _, store) = try makePolicy()
        await #expect(throws: StateStoreError.self) { try await policy.reserve(account: "", source: "192.0.2.1") }
        await #expect(throws: StateStoreError.self) {
            try await policy.reserve(account: "alice", source: String(repeating: "{", count: 200))
        }
        #expect((store as? InMemoryStateStore)?.count == 0)
    }

    @Test func badConfigurationIsRefused() throws {
        let store = InMemoryStateStore()
        var configuration = LockoutPolicy.Configuration()
        configuration.account.hardLockAfter = 101
        #expect(throws: StateStoreError.self) { try LockoutPolicy(store: store, configuration: configuration) }
        configuration = LockoutPolicy.Configuration(purpose: "has space")
        #expect(throws: StateStoreError.self) { try LockoutPolicy(store: store, configuration: configuration) }
    }

    // MARK: Concurrency

    @Test(arguments: [1, 2])
    func parallelWrongGuessesGetExactlyTheBudget(replicas: Int) async throws {
        let clock = ManualClock()
        let store = InMemoryStateStore(clock: clock)
        var configuration = LockoutPolicy.Configuration()
        configuration.source = RateLimit(burst: 1000, interval: .seconds(1))
        // Two policy instances on one store stand in for two replicas sharing Redis.
        let policies = try (0..<replicas).map { _ in
            try LockoutPolicy(store: store, configuration: configuration, wallClock: clock)
        }
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                let policy = policies[index % replicas]
                group.addTask {
                    guard case .admitted(let ticket) = try await policy.reserve(account: "alice", source: "192.0.2.1")
                    else { return false }
                    await policy.failed(ticket)
                    return true
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 5)
        #expect(try await policies[0].status(account: "alice").failures == 5)
    }

    @Test func parallelGuessesFromManySourcesGetExactlyTheAccountBudget() async throws {
        let (policy, _, _, _) = try makePolicy()
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    guard case .admitted(let ticket) = try await policy.reserve(account: "alice", source: "10.0.\(index / 250).\(index % 250)")
                    else { return false }
                    await policy.failed(ticket)
                    return true
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 5)
    }
}
