import Deadbolt

/// The ``StateStore`` that replicas share: Redis or Redis Cluster, through hiredis.
///
/// Every operation is one Lua script (`RedisScripts.swift`) run with `EVALSHA` on the node that owns the key's hash
/// tag, so it is atomic on the server however many replicas race on one key, and it reads time from the
/// server's `TIME`, never from a replica's clock. Key names and data shapes are in `docs/redis.md`.
///
/// - Timeouts: every operation finishes within ``RedisConfiguration/operationTimeout`` (500 ms by default),
///   answering ``StateStoreError/timeout`` when Redis is slow, and ``StateStoreError/unavailable(reason:)`` at
///   once when it is down or backing off between reconnection attempts. A timeout leaves unknown whether the
///   operation took effect; the policy above decides whether that denies (fails closed) or allows.
/// - Threads: hiredis blocks, so its I/O runs on ``RedisConfiguration/connectionsPerNode`` dedicated threads per
///   node, never on the caller's executor; operations queued together are pipelined on one connection.
/// - Errors: every operation throws only ``StateStoreError``: `invalidArgument` for out-of-range arguments
///   (``StateStoreBounds``) or a key holding another kind of state (`WRONGTYPE`), `timeout`, `unavailable`, and
///   `capacityExceeded` when Redis is out of memory (`OOM` under `maxmemory-policy noeviction`).
/// - Lifetime: ``shutdown()`` (or releasing the store) stops the threads and closes the connections.
public final class RedisStateStore: StateStore {
    /// How this store reaches Redis.
    public let configuration: RedisConfiguration
    let router: RedisRouter

    /// A store; connects lazily, on the first operation, so creating one never blocks or fails on the network.
    /// - Throws: ``StateStoreError/invalidArgument(_:)`` when the configuration is out of range.
    public init(configuration: RedisConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        router = RedisRouter(configuration: configuration)
    }

    deinit {
        router.shutdown()
    }

    /// Stops the connection threads and closes every connection; later operations throw
    /// ``StateStoreError/unavailable(reason:)``. Operations in flight finish or time out.
    public func shutdown() {
        router.shutdown()
    }

    // MARK: Rate limits

    /// GCRA on a string holding the theoretical arrival time (ms), expiring at it. See ``StateStore``.
    public func acquireToken(_ key: StateKey, limit: RateLimit) async throws -> RateDecision {
        let interval = try Arguments.interval(limit)
        let reply = try await run(RedisScripts.acquireToken, key, [interval, Arguments.integer(limit.burst)])
        let (verdict, amount) = try Self.pair(reply)
        return verdict == 1 ? .allowed(remaining: Int(amount)) : .denied(retryAfter: .milliseconds(amount))
    }

    /// Moves the theoretical arrival time back one interval, never below now.
    public func refundToken(_ key: StateKey, limit: RateLimit) async throws {
        let interval = try Arguments.interval(limit)
        _ = try await run(RedisScripts.refundToken, key, [interval])
    }

    // MARK: Lockout

    /// A hash (`f`, `until`, `hard`); the wait follows ``LockoutSchedule/wait(afterFailures:)``, mirrored in Lua.
    public func reserveAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws -> AttemptReservation {
        let reply = try await run(RedisScripts.reserveAttempt, key, try Arguments.schedule(schedule))
        let (verdict, amount) = try Self.pair(reply)
        switch verdict {
        case 0: return .admitted(failures: Int(amount))
        case 1: return .locked(retryAfter: .milliseconds(amount))
        default: return .hardLocked
        }
    }

    /// Takes one failure off the count, and lifts a timed lock only when it is this reservation's; a hard lock
    /// stays. See ``StateStore/refundAttempt(_:admittedAs:schedule:)``.
    public func refundAttempt(_ key: StateKey, admittedAs failures: Int, schedule: LockoutSchedule) async throws {
        try schedule.validate(admittedFailures: failures)
        _ = try await run(
            RedisScripts.refundAttempt, key,
            [
                Arguments.integer(schedule.hardLockAfter), Arguments.milliseconds(schedule.failureMemory),
                Arguments.integer(failures),
            ])
    }

    /// Redis: when `hard` is `1`, `HDEL until` (the hard lock and its count stay); otherwise `DEL`.
    public func resetAttempts(_ key: StateKey) async throws {
        _ = try await run(RedisScripts.resetAttempts, key, [])
    }

    /// Redis: `DEL`; refuses a key holding another type than a hash.
    public func clearLockout(_ key: StateKey) async throws {
        _ = try await run(RedisScripts.clearLockout, key, [])
    }

    /// Redis: `HMGET f until hard`; a count at `hardLockAfter` reports hard-locked.
    public func lockoutStatus(_ key: StateKey, schedule: LockoutSchedule) async throws -> LockoutStatus {
        try schedule.validate()
        let reply = try await run(RedisScripts.lockoutStatus, key, [Arguments.integer(schedule.hardLockAfter)])
        let values = try Self.integers(reply, count: 3)
        return LockoutStatus(
            failures: Int(values[0]), retryAfter: values[1] >= 0 ? .milliseconds(values[1]) : nil,
            hardLocked: values[2] == 1)
    }

    // MARK: Counters, codes, claims

    /// Redis: a decimal string, `SET ... PX ttl` only when absent or smaller, compared digit by digit so all 64
    /// bits count. A replay leaves the value and its TTL alone.
    public func advanceCounter(_ key: StateKey, to value: UInt64, ttl: Duration) async throws -> Bool {
        let lifetime = try Arguments.ttl(ttl)
        let reply = try await run(RedisScripts.advanceCounter, key, [Array(String(value).utf8), lifetime])
        return try Self.integer(reply) == 1
    }

    /// Redis: a hash `d` (digest), `c` (context), `t` (tries left), `PEXPIRE`d at `ttl`, replacing any code there.
    public func putCode(_ key: StateKey, digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) async throws {
        try StateStoreBounds.checkCode(digest: digest, context: context, tries: tries, ttl: ttl)
        let lifetime = Arguments.milliseconds(ttl)
        _ = try await run(RedisScripts.putCode, key, [digest, context, Arguments.integer(tries), lifetime])
    }

    /// Redis: `HMGET d c t`; a match deletes the code and returns `c`, a mismatch spends a try (`DEL` at 0).
    /// The digests are compared in the script with Lua's string equality: they are keyed digests, so its timing
    /// tells an attacker nothing they can climb (see `docs/redis.md`).
    public func redeemCode(_ key: StateKey, digest: [UInt8]) async throws -> CodeRedemption {
        try StateStoreBounds.checkDigest(digest)
        let reply = try await run(RedisScripts.redeemCode, key, [digest])
        guard case .array(let fields) = reply, case .integer(let verdict) = fields.first else {
            throw Self.unexpected
        }
        switch (verdict, fields.count > 1 ? fields[1] : .null) {
        case (1, .string(let context)): return .redeemed(context: context)
        case (2, .integer(let left)): return .mismatch(triesLeft: Int(left))
        case (0, _): return .absent
        default: throw Self.unexpected
        }
    }

    /// Redis: a set of digests, `DEL` then `SADD` and `PEXPIRE` (an empty list just deletes).
    public func putCodeSet(_ key: StateKey, digests: [[UInt8]], ttl: Duration) async throws {
        try StateStoreBounds.checkCodeSet(digests: digests, ttl: ttl)
        let lifetime = Arguments.milliseconds(ttl)
        _ = try await run(RedisScripts.putCodeSet, key, [lifetime] + digests)
    }

    /// Redis: `SREM`, then `SCARD` when it removed one.
    public func redeemFromCodeSet(_ key: StateKey, digest: [UInt8]) async throws -> Int? {
        try StateStoreBounds.checkDigest(digest)
        let remaining = try Self.integer(try await run(RedisScripts.redeemFromCodeSet, key, [digest]))
        return remaining >= 0 ? Int(remaining) : nil
    }

    /// Redis: `SCARD`.
    public func codeSetCount(_ key: StateKey) async throws -> Int {
        Int(try Self.integer(try await run(RedisScripts.codeSetCount, key, [])))
    }

    /// Redis: `SET key 1 NX PX ttl`.
    public func claim(_ key: StateKey, ttl: Duration) async throws -> Bool {
        let lifetime = try Arguments.ttl(ttl)
        return try Self.integer(try await run(RedisScripts.claim, key, [lifetime])) == 1
    }

    /// Redis: `DEL`, whatever the key holds.
    public func remove(_ key: StateKey) async throws {
        _ = try await run(RedisScripts.remove, key, [])
    }

    // MARK: Events

    /// Redis: a list, newest first: `LPUSH`, `LTRIM 0 keepLast-1`, `PEXPIRE ttl`.
    public func appendEvent(_ key: StateKey, _ payload: [UInt8], keepLast: Int, ttl: Duration) async throws {
        try StateStoreBounds.checkEvent(payload, keepLast: keepLast, ttl: ttl)
        let lifetime = Arguments.milliseconds(ttl)
        _ = try await run(RedisScripts.appendEvent, key, [payload, Arguments.integer(keepLast), lifetime])
    }

    /// Redis: `LRANGE 0 limit-1`.
    public func recentEvents(_ key: StateKey, limit: Int) async throws -> [[UInt8]] {
        try StateStoreBounds.checkEventCount(limit)
        let reply = try await run(RedisScripts.recentEvents, key, [Arguments.integer(limit)])
        guard case .array(let events) = reply else { throw Self.unexpected }
        return try events.map { event in
            guard case .string(let payload) = event else { throw Self.unexpected }
            return payload
        }
    }

    // MARK: Scripts

    /// The Lua source of the script behind ``acquireToken(_:limit:)``, byte for byte as the store loads it with
    /// `SCRIPT LOAD`; its SHA-1 is the digest the store sends with `EVALSHA`, with `KEYS[1]` the rendered key and
    /// ARGV the interval in whole milliseconds (rounded up) and the burst, both in decimal. For benchmarks that run
    /// the same script without the client (`deadbolt-bench`'s redis group hands it to `redis-benchmark`) and for
    /// operators who preload or audit scripts. Reading it touches no server.
    public static var acquireTokenScriptSource: String {
        String(decoding: RedisScripts.acquireToken.source, as: UTF8.self)
    }

    // MARK: Replies

    private func run(_ script: RedisScript, _ key: StateKey, _ arguments: [[UInt8]]) async throws(StateStoreError)
        -> RedisReply
    {
        let reply = try await router.run(script, key: Array(key.rendered.utf8), arguments: arguments)
        guard case .error(let message) = reply else { return reply }
        throw Self.error(forReply: message)
    }

    /// The core error for an error reply. Only the reply's code goes into a reason: a script error quotes the
    /// script's position, never an argument, but the reason needs no more than the code.
    static func error(forReply message: String) -> StateStoreError {
        if message.hasPrefix("WRONGTYPE") || message.contains("WRONGTYPE") {
            return .invalidArgument("the key holds another kind of state")
        }
        let code = message.split(separator: " ", maxSplits: 1).first.map(String.init) ?? "ERR"
        if code == "OOM" { return .capacityExceeded }
        return .unavailable(reason: "redis answered \(code.prefix(32))")
    }

    private static let unexpected = StateStoreError.unavailable(reason: "redis gave an unexpected reply")

    private static func integer(_ reply: RedisReply) throws(StateStoreError) -> Int64 {
        guard case .integer(let value) = reply else { throw unexpected }
        return value
    }

    private static func integers(_ reply: RedisReply, count: Int) throws(StateStoreError) -> [Int64] {
        guard case .array(let elements) = reply, elements.count == count else { throw unexpected }
        var values: [Int64] = []
        for element in elements {
            guard case .integer(let value) = element else { throw unexpected }
            values.append(value)
        }
        return values
    }

    private static func pair(_ reply: RedisReply) throws(StateStoreError) -> (Int64, Int64) {
        let values = try integers(reply, count: 2)
        return (values[0], values[1])
    }
}

/// Argument encodings. The checks are the core's ``StateStoreBounds``, so the Redis store refuses exactly what
/// the in-memory store refuses.
enum Arguments {
    static func integer(_ value: Int) -> [UInt8] { Array(String(value).utf8) }

    /// Whole milliseconds, rounded up so a wait never ends early.
    static func milliseconds(_ duration: Duration) -> [UInt8] { integer(duration.wholeMillisecondsRoundingUp) }

    /// A checked TTL in milliseconds.
    static func ttl(_ ttl: Duration) throws -> [UInt8] {
        try StateStoreBounds.checkTTL(ttl)
        return milliseconds(ttl)
    }

    /// A checked rate's interval in milliseconds.
    static func interval(_ limit: RateLimit) throws -> [UInt8] {
        try limit.validate()
        return milliseconds(limit.interval)
    }

    /// ARGV of the reserve-attempt script: threshold, initial wait, maximum wait, hard lock after, memory.
    static func schedule(_ schedule: LockoutSchedule) throws -> [[UInt8]] {
        try schedule.validate()
        return [
            integer(schedule.threshold), milliseconds(schedule.initialWait), milliseconds(schedule.maximumWait),
            integer(schedule.hardLockAfter), milliseconds(schedule.failureMemory),
        ]
    }
}
