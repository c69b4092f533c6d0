import Deadbolt

/// A minimal in-memory ``StateStore`` for the one-time code tests, with a clock the test moves by hand.
/// It stands in for the real `InMemoryStateStore` being written on another branch; the operations follow the
/// protocol's documentation and nothing more.
actor TestStateStore: StateStore {
    private struct Lockout {
        var failures = 0
        var lockedUntil: Duration = .zero
        var hardLocked = false
        var expires: Duration
    }
    private struct Code {
        var digest: [UInt8]
        var context: [UInt8]
        var triesLeft: Int
        var expires: Duration
    }

    private(set) var now: Duration = .zero
    private var counters: [StateKey: (value: UInt64, expires: Duration)] = [:]
    private var codes: [StateKey: Code] = [:]
    private var sets: [StateKey: (digests: [[UInt8]], expires: Duration)] = [:]
    private var claims: [StateKey: Duration] = [:]
    private var lockouts: [StateKey: Lockout] = [:]
    private var events: [StateKey: [[UInt8]]] = [:]

    /// Moves the store's clock forward.
    func advance(by duration: Duration) { now += duration }

    func acquireToken(_ key: StateKey, limit: RateLimit) async throws -> RateDecision { .allowed(remaining: limit.burst) }

    func reserveAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws -> AttemptReservation {
        var entry = lockouts[key].flatMap { $0.expires > now || $0.hardLocked ? $0 : nil }
            ?? Lockout(expires: now + schedule.failureMemory)
        if entry.hardLocked { return .hardLocked }
        if entry.lockedUntil > now { return .locked(retryAfter: entry.lockedUntil - now) }
        entry.failures += 1
        entry.expires = now + schedule.failureMemory
        if entry.failures >= schedule.hardLockAfter {
            entry.hardLocked = true
        } else {
            let wait = schedule.wait(afterFailures: entry.failures)
            if wait > .zero { entry.lockedUntil = now + wait }
        }
        lockouts[key] = entry
        return .admitted(failures: entry.failures)
    }

    func resetAttempts(_ key: StateKey) async throws {
        guard var entry = lockouts[key] else { return }
        entry.failures = 0
        entry.lockedUntil = .zero
        lockouts[key] = entry.hardLocked ? entry : nil
    }

    func clearLockout(_ key: StateKey) async throws { lockouts[key] = nil }

    func lockoutStatus(_ key: StateKey, schedule: LockoutSchedule) async throws -> LockoutStatus {
        let entry = lockouts[key]
        let retry = entry.flatMap { $0.lockedUntil > now ? $0.lockedUntil - now : nil }
        return LockoutStatus(failures: entry?.failures ?? 0, retryAfter: retry, hardLocked: entry?.hardLocked ?? false)
    }

    func advanceCounter(_ key: StateKey, to value: UInt64, ttl: Duration) async throws -> Bool {
        if let stored = counters[key], stored.expires > now, stored.value >= value { return false }
        counters[key] = (value, now + ttl)
        return true
    }

    func putCode(_ key: StateKey, digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) async throws {
        codes[key] = Code(digest: digest, context: context, triesLeft: tries, expires: now + ttl)
    }

    func redeemCode(_ key: StateKey, digest: [UInt8]) async throws -> CodeRedemption {
        guard var code = codes[key], code.expires > now else {
            codes[key] = nil
            return .absent
        }
        if ConstantTime.equals(code.digest, digest) {
            codes[key] = nil
            return .redeemed(context: code.context)
        }
        code.triesLeft -= 1
        codes[key] = code.triesLeft > 0 ? code : nil
        return .mismatch(triesLeft: code.triesLeft)
    }

    func putCodeSet(_ key: StateKey, digests: [[UInt8]], ttl: Duration) async throws {
        sets[key] = (digests, now + ttl)
    }

    func redeemFromCodeSet(_ key: StateKey, digest: [UInt8]) async throws -> Int? {
        guard var set = sets[key], set.expires > now,
            let index = set.digests.firstIndex(where: { ConstantTime.equals($0, digest) })
        else { return nil }
        set.digests.remove(at: index)
        sets[key] = set
        return set.digests.count
    }

    func codeSetCount(_ key: StateKey) async throws -> Int {
        guard let set = sets[key], set.expires > now else { return 0 }
        return set.digests.count
    }

    func claim(_ key: StateKey, ttl: Duration) async throws -> Bool {
        if let expires = claims[key], expires > now { return false }
        claims[key] = now + ttl
        return true
    }

    func remove(_ key: StateKey) async throws {
        counters[key] = nil
        codes[key] = nil
        sets[key] = nil
        claims[key] = nil
        lockouts[key] = nil
    }

    func appendEvent(_ key: StateKey, _ payload: [UInt8], keepLast: Int, ttl: Duration) async throws {
        events[key, default: []].insert(payload, at: 0)
        events[key] = Array(events[key, default: []].prefix(keepLast))
    }

    func recentEvents(_ key: StateKey, limit: Int) async throws -> [[UInt8]] {
        Array(events[key, default: []].prefix(limit))
    }
}
