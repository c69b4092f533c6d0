import Testing
@testable import Deadbolt

@Suite struct LimitsRateLimiterTests {
    let limit = RateLimit(burst: 2, interval: .seconds(30))

    @Test func burstThenRetryAfterThenRefill() async throws {
        let (store, clock) = try makeStore()
        let limiter = try RateLimiter(store: store, limit: limit, purpose: "sms", wallClock: clock)
        #expect(try await limiter.acquire("+15551234567") == .allowed(remaining: 1))
        #expect(try await limiter.acquire("+15551234567") == .allowed(remaining: 0))
        #expect(try await limiter.acquire("+15551234567") == .denied(retryAfter: .seconds(30)))
        #expect(try await limiter.acquire("+15557654321") == .allowed(remaining: 1))
        clock.advance(by: .seconds(30))
        #expect(try await limiter.acquire("+15551234567") == .allowed(remaining: 0))
    }

    @Test func purposesKeepLimitersApart() async throws {
        let (store, clock) = try makeStore()
        let sms = try RateLimiter(store: store, limit: limit, purpose: "sms", wallClock: clock)
        let email = try RateLimiter(store: store, limit: limit, purpose: "email", wallClock: clock)
        _ = try await sms.acquire("alice")
        _ = try await sms.acquire("alice")
        #expect(try await sms.acquire("alice") == .denied(retryAfter: .seconds(30)))
        #expect(try await email.acquire("alice") == .allowed(remaining: 1))
    }

    @Test func refundGivesATokenBack() async throws {
        let (store, clock) = try makeStore()
        let limiter = try RateLimiter(store: store, limit: limit, wallClock: clock)
        _ = try await limiter.acquire("k")
        _ = try await limiter.acquire("k")
        try await limiter.refund("k")
        #expect(try await limiter.acquire("k") == .allowed(remaining: 0))
        #expect(try await limiter.acquire("k") == .denied(retryAfter: .seconds(30)))
    }

    @Test func anyStringUpToTheBoundIsAKey() async throws {
        let (store, clock) = try makeStore()
        let limiter = try RateLimiter(store: store, limit: limit, wallClock: clock)
        #expect(try await limiter.acquire("{evil}:tag%") == .allowed(remaining: 1))
        #expect(try await limiter.acquire("{evil}:tag%") == .allowed(remaining: 0))
        #expect(try await limiter.acquire("evil") == .allowed(remaining: 1))
        await #expect(throws: StateStoreError.self) { try await limiter.acquire("") }
        await #expect(throws: StateStoreError.self) { try await limiter.acquire(String(repeating: "x", count: 300)) }
    }

    @Test func failsClosedByDefaultAndReportsIt() async throws {
        let (inner, clock) = try makeStore()
        let events = RecordingEventSink()
        let limiter = try RateLimiter(
            store: FaultInjectingStateStore(inner), limit: limit, events: events, wallClock: clock
        )
        #expect(try await limiter.acquire("k") == .unavailable)
        #expect(events.kinds() == [.storeUnavailable])
        #expect(events.events.first?.storeFailure == StateStoreError.timeout.description)
    }

    @Test func failsOpenWhenConfigured() async throws {
        let (inner, clock) = try makeStore()
        let events = RecordingEventSink()
        let limiter = try RateLimiter(
            store: FaultInjectingStateStore(inner), limit: limit, whenStoreFails: .failOpen, events: events,
            wallClock: clock
        )
        #expect(try await limiter.acquire("k") == .allowed(remaining: 0))
        #expect(events.kinds() == [.storeUnavailable])
    }

    @Test func badConfigurationIsRefused() throws {
        let (store, _) = try makeStore()
        #expect(throws: StateStoreError.self) { try RateLimiter(store: store, limit: RateLimit(burst: 0, interval: .seconds(1))) }
        #expect(throws: StateStoreError.self) { try RateLimiter(store: store, limit: limit, purpose: "no spaces") }
        #expect(throws: StateStoreError.self) { try RateLimiter(store: store, limit: limit, purpose: "") }
    }
}
