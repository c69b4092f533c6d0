import Testing
@testable import Deadbolt

@Suite struct StateTokenBucketTests {
    let limit = RateLimit(burst: 3, interval: .seconds(10))

    @Test func burstThenDenialWithExactRetryAfter() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("client")
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 2))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        #expect(try await store.acquireToken(key, limit: limit) == .denied(retryAfter: .seconds(10)))
    }

    @Test func refillsOneTokenPerIntervalUpToTheBurst() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("client")
        for _ in 0..<3 { _ = try await store.acquireToken(key, limit: limit) }
        clock.advance(by: .seconds(9))
        #expect(try await store.acquireToken(key, limit: limit) == .denied(retryAfter: .seconds(1)))
        clock.advance(by: .seconds(1))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        #expect(try await store.acquireToken(key, limit: limit) == .denied(retryAfter: .seconds(10)))
        // A long quiet spell refills to the burst, never beyond it.
        clock.advance(by: .seconds(3600))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 2))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        #expect(try await store.acquireToken(key, limit: limit) == .denied(retryAfter: .seconds(10)))
    }

    @Test func aDeniedRequestTakesNothing() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("client")
        for _ in 0..<3 { _ = try await store.acquireToken(key, limit: limit) }
        for _ in 0..<20 { _ = try await store.acquireToken(key, limit: limit) }
        clock.advance(by: .seconds(10))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
    }

    @Test func keysAreIndependent() async throws {
        let (store, _) = try makeStore()
        for _ in 0..<3 { _ = try await store.acquireToken(try testKey("a"), limit: limit) }
        #expect(try await store.acquireToken(try testKey("a"), limit: limit) == .denied(retryAfter: .seconds(10)))
        #expect(try await store.acquireToken(try testKey("b"), limit: limit) == .allowed(remaining: 2))
    }

    @Test func refundGivesBackExactlyOneToken() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("client")
        for _ in 0..<3 { _ = try await store.acquireToken(key, limit: limit) }
        try await store.refundToken(key, limit: limit)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        #expect(try await store.acquireToken(key, limit: limit) == .denied(retryAfter: .seconds(10)))
    }

    @Test func refundNeverBanksMoreThanTheBurst() async throws {
        let (store, _) = try makeStore()
        let key = try testKey("client")
        _ = try await store.acquireToken(key, limit: limit)
        for _ in 0..<5 { try await store.refundToken(key, limit: limit) }
        try await store.refundToken(try testKey("never-used"), limit: limit)
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 2))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
        #expect(try await store.acquireToken(key, limit: limit) == .denied(retryAfter: .seconds(10)))
    }

    @Test func burstOfOneIsAPlainRate() async throws {
        let (store, clock) = try makeStore()
        let key = try testKey("client")
        let strict = RateLimit(burst: 1, interval: .milliseconds(250))
        #expect(try await store.acquireToken(key, limit: strict) == .allowed(remaining: 0))
        #expect(try await store.acquireToken(key, limit: strict) == .denied(retryAfter: .milliseconds(250)))
        clock.advance(by: .milliseconds(250))
        #expect(try await store.acquireToken(key, limit: strict) == .allowed(remaining: 0))
    }

    @Test(arguments: [
        RateLimit(burst: 0, interval: .seconds(1)),
        RateLimit(burst: 10_001, interval: .seconds(1)),
        RateLimit(burst: 1, interval: .zero),
        RateLimit(burst: 1, interval: .seconds(-1)),
        RateLimit(burst: 1, interval: .seconds(86_401)),
    ])
    func outOfRangeLimitsAreRefused(limit: RateLimit) async throws {
        let (store, _) = try makeStore()
        await #expect(throws: StateStoreError.self) { try await store.acquireToken(try testKey("c"), limit: limit) }
        await #expect(throws: StateStoreError.self) { try await store.refundToken(try testKey("c"), limit: limit) }
    }
}
