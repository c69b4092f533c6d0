import Deadbolt
import Testing

@testable import DeadboltRedis

/// `refundToken` and `refundAttempt`, with real (short) time on the single server.
@Suite("Refunds on Redis")
struct RedisRefundTests {
    @Test("a refunded token can be taken again; a refund never banks tokens")
    func refundToken() async throws {
        guard let store = try await RedisTestEnvironment.singleStore() else { return }
        try await using(store) { store in
            let key = try StateKey(namespace: "rate", scope: "refund-\(UInt64.random(in: 0...UInt64.max))")
            let limit = RateLimit(burst: 2, interval: .seconds(30))
            #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
            #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
            try await store.refundToken(key, limit: limit)
            #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 0))
            try await store.refundToken(key, limit: limit)
            try await store.refundToken(key, limit: limit)
            try await store.refundToken(key, limit: limit)
            // Refunds stop at a full bucket.
            #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 1))
            try await store.refundToken(try StateKey(namespace: "rate", scope: "refund-nothing-here"), limit: limit)
        }
    }

    @Test("a refunded attempt takes one failure off and lifts the timed lock; a hard lock stays")
    func refundAttempt() async throws {
        guard let store = try await RedisTestEnvironment.singleStore() else { return }
        try await using(store) { store in
            let key = try StateKey(namespace: "lockout", scope: "refund-\(UInt64.random(in: 0...UInt64.max))")
            let schedule = LockoutSchedule(
                threshold: 2, initialWait: .seconds(30), maximumWait: .seconds(60), hardLockAfter: 4,
                failureMemory: .seconds(60))
            _ = try await store.reserveAttempt(key, schedule: schedule)
            #expect(try await store.reserveAttempt(key, schedule: schedule) == .admitted(failures: 2))
            guard case .locked = try await store.reserveAttempt(key, schedule: schedule) else {
                Issue.record("no lock at the threshold")
                return
            }
            try await store.refundAttempt(key, schedule: schedule)
            #expect(try await store.lockoutStatus(key, schedule: schedule) == LockoutStatus(failures: 1, retryAfter: nil, hardLocked: false))
            try await store.refundAttempt(key, schedule: schedule)
            #expect(try await store.lockoutStatus(key, schedule: schedule).failures == 0)
            let hard = LockoutSchedule(
                threshold: 10, initialWait: .zero, maximumWait: .zero, hardLockAfter: 1, failureMemory: .seconds(60))
            _ = try await store.reserveAttempt(key, schedule: hard)
            #expect(try await store.reserveAttempt(key, schedule: hard) == .hardLocked)
            try await store.refundAttempt(key, schedule: hard)
            #expect(try await store.reserveAttempt(key, schedule: hard) == .hardLocked)
            try await store.clearLockout(key)
        }
    }
}
