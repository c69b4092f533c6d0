#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded ``StateStore``: process memory, sharded, bounded, on an injected monotonic clock.
///
/// Right for one replica, for tests, and for development; replicas that must share limits need a shared store
/// (the Redis store), because each in-memory store counts only what its own process saw.
///
/// - Concurrency: keys are spread over up to 64 shards by a per-process-seeded hash (so an attacker cannot aim
///   keys at one shard), each behind its own lock; there is no global lock. Each operation holds one shard's
///   lock for its whole read-modify-write, which is what makes it atomic.
/// - Time: every operation reads ``MonotonicClock/now()`` once; all arithmetic is in integer nanoseconds (the Redis
///   scripts use integer milliseconds from `TIME`). The reading is taken just before the shard's lock and raised,
///   inside it, to the latest time the shard has used, so operations on one key see non-decreasing times in the
///   order they run, and each operation's time lies between its start and its taking the lock.
/// - Memory: at most `maximumKeys` keys, each of bounded size (``StateStoreBounds``). Expired entries are dropped
///   when touched, and swept from a shard when an insert finds it full. When a full shard has nothing expired,
///   ``WhenFull`` decides, and by default (``WhenFull/evictExpendable``) only state whose loss costs no guess and
///   no code reuse (rate-limit buckets, event lists) is ever evicted; failure counts, locks, used-step counters,
///   codes and claims never are, and a new key finding none of the former to evict is refused with
///   ``StateStoreError/capacityExceeded``, which the policies turn into a denial (they fail closed).
///
///   The trade-off: a flood of distinct keys that fills the store with security state (about
///   `maximumKeys / 2` reservations for made-up accounts from many addresses: each one stores the account's count
///   and the account-and-address count) can no longer reset anyone's count, but until those entries expire (the
///   failure memory, a day by default) attempts that need a new key are refused: people whose account has no
///   recent failure, and addresses the store has not seen, get ``LockoutDecision/unavailable``. Accounts already
///   counted keep being counted and locked. Size `maximumKeys` well above the keys the service touches within its
///   longest failure memory (a lockout key of an e-mail account took about 240 bytes of resident memory,
///   measured over 200,000 of them), watch ``count``, and use a shared store
///   (Redis with `noeviction`, which behaves the same) for more than one replica.
/// - Keys holding another kind of state than the operation expects (a code where a lockout was asked) answer
///   ``StateStoreError/invalidArgument(_:)``, as Redis answers `WRONGTYPE`.
///
/// The Redis shape each operation mirrors is in its own documentation. Times in Redis values are milliseconds
/// on the server's `TIME`, and every key carries a `PEXPIRE` matching the in-memory expiry.
public final class InMemoryStateStore: StateStore {
    /// What an insert does when its shard is full and nothing in it has expired. Neither ever evicts a failure
    /// count or a lock, a used TOTP step or HOTP counter, a code, a code set or a claim: evicting one would reset
    /// it, and a flood of made-up accounts would then reset a victim's count toward the hard lock again and again.
    public enum WhenFull: Sendable, Equatable {
        /// Evicts the expendable entry nearest its expiry, then refuses (``StateStoreError/capacityExceeded``)
        /// when none is left. Expendable entries are rate-limit (GCRA) buckets, whose loss gives a sender its burst
        /// back while every account's own lockout still counts each guess, and event lists, whose loss drops
        /// recent activity from an account page while the log sink keeps the record. The default.
        case evictExpendable
        /// Refuses the insert with ``StateStoreError/capacityExceeded``, which a fail-closed policy turns into a
        /// denial: nothing live is ever lost early, rate-limit buckets and event lists included.
        case refuse
    }

    /// The default bound on keys: 100,000, a few tens of megabytes at most, and about a day of failure counts for
    /// a service seeing one new failing account a second.
    public static let defaultMaximumKeys = 100_000

    /// The most shards a store spreads its keys over.
    public static let maximumShards = 64

    private let shards: [PthreadLocked<Shard>]
    private let clock: any MonotonicClock
    /// `clock` when it is the ``SystemClock``, read without the existential call and without a `Duration`.
    private let systemClock: SystemClock?
    /// The key of ``StateKey/storeHash(_:)``.
    private let hashKey = StoreHashKey.derived()
    private let whenFull: WhenFull

    /// The bound on keys this store holds.
    public let maximumKeys: Int

    /// A store holding at most ``defaultMaximumKeys`` keys, evicting only expendable entries when full
    /// (``WhenFull/evictExpendable``) and otherwise refusing new keys, reading time from `clock`.
    public convenience init(clock: any MonotonicClock = SystemClock()) {
        self.init(checkedMaximumKeys: Self.defaultMaximumKeys, whenFull: .evictExpendable, clock: clock)
    }

    /// A store holding at most `maximumKeys` keys (1 to 100,000,000), doing `whenFull` when a shard is full,
    /// reading time from `clock`.
    ///
    /// - Throws: ``StateStoreError/invalidArgument(_:)`` when `maximumKeys` is out of range.
    public convenience init(
        maximumKeys: Int, whenFull: WhenFull = .evictExpendable, clock: any MonotonicClock = SystemClock()
    ) throws {
        guard (1...100_000_000).contains(maximumKeys) else {
            throw StateStoreError.invalidArgument("maximumKeys must be 1 to 100000000")
        }
        self.init(checkedMaximumKeys: maximumKeys, whenFull: whenFull, clock: clock)
    }

    private init(checkedMaximumKeys maximumKeys: Int, whenFull: WhenFull, clock: any MonotonicClock) {
        // At least 16 keys a shard, so a small store does not evict from one shard while its others sit empty.
        let shardCount = min(Self.maximumShards, max(1, maximumKeys / 16))
        // Capacities sum to exactly maximumKeys, so the bound holds however keys spread.
        shards = (0..<shardCount).map { index in
            PthreadLocked(Shard(capacity: maximumKeys / shardCount + (index < maximumKeys % shardCount ? 1 : 0)))
        }
        self.maximumKeys = maximumKeys
        self.whenFull = whenFull
        self.clock = clock
        systemClock = clock as? SystemClock
    }

    /// How many keys the store holds now, expired ones not yet dropped included. For tests and metrics.
    public var count: Int {
        shards.reduce(0) { total, box in total + box.withLock { $0.entries.count } }
    }

    /// How many expiry records the shards carry, stale ones included; bounded by compaction. For tests.
    var expiryRecordCount: Int {
        shards.reduce(0) { total, box in total + box.withLock { $0.expiryRecordCount } }
    }

    // MARK: Rate limits

    /// GCRA: the key holds the bucket's theoretical arrival time (TAT). A request is allowed when the new TAT
    /// (`max(TAT, now) + interval`) is at most `burst * interval` ahead of now.
    ///
    /// Redis: a string holding the TAT in milliseconds, `PEXPIRE`d at the TAT (an absent key is a full bucket).
    public func acquireToken(_ key: StateKey, limit: RateLimit) async throws -> RateDecision {
        try limit.validate()
        return try acquireToken(key, gcra: GCRA(limit))
    }

    /// ``acquireToken(_:limit:)`` for a limit already checked and converted: synchronous, so `RateLimiter` calls it
    /// directly when its store is this one, without an existential `async` call or re-checking its fixed limit.
    /// `prefix`, when given, must come from ``hashPrefix(namespace:name:)`` for `key`'s namespace and name.
    func acquireToken(_ key: StateKey, gcra: GCRA, prefix: StoreHashPrefix? = nil) throws(StateStoreError)
        -> RateDecision
    {
        let hash = prefix?.hash(scope: key.scope) ?? key.storeHash(hashKey)
        return try withShard(key, hash: hash) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            var stored: Int64?
            if let index {
                guard case .tokenBucket(let arrival) = shard.entries[index].value else { throw Self.wrongKind }
                stored = arrival
            }
            let arrival = max(stored ?? now, now).saturatingAdding(gcra.interval)
            let ahead = arrival - now
            guard ahead <= gcra.window else { return .denied(retryAfter: .nanoseconds(ahead - gcra.window)) }
            try shard.write(
                key, hash: hash, at: index, .tokenBucket(arrival: arrival), expiresAt: arrival, now: now,
                whenFull: whenFull)
            return .allowed(remaining: Int((gcra.window - ahead) / gcra.interval))
        }
    }

    /// Redis: `TAT = GET key - interval`; `DEL` when that is at or before now, else `SET` with `PEXPIRE` at it.
    public func refundToken(_ key: StateKey, limit: RateLimit) async throws {
        try limit.validate()
        let interval = limit.interval.saturatingNanoseconds
        try withShard(key) { shard, now, hash throws(StateStoreError) in
            guard let index = shard.live(key, hash: hash, now: now) else { return }
            guard case .tokenBucket(let stored) = shard.entries[index].value else { throw Self.wrongKind }
            let arrival = stored.saturatingAdding(-interval)
            if arrival <= now {
                shard.remove(at: index)
            } else {
                shard.update(at: index, .tokenBucket(arrival: arrival), expiresAt: arrival)
            }
        }
    }

    // MARK: Lockout

    /// Redis: a hash with fields `f` (consecutive failures), `until` (end of the timed lock, milliseconds; absent
    /// when none) and `hard` (`1` when hard-locked). `PEXPIRE` at `max(now + failureMemory, until)`; `PERSIST`
    /// once `f` reaches `hardLockAfter` or `hard` is set, so only a clear removes it.
    public func reserveAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws -> AttemptReservation {
        try schedule.validate()
        return try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            var state = try shard.attempts(at: index) ?? AttemptState()
            if state.hard { return .hardLocked }
            if state.failures >= schedule.hardLockAfter {
                state.hard = true
                try shard.write(key, hash: hash, at: index, .attempts(state), expiresAt: nil, now: now, whenFull: whenFull)
                return .hardLocked
            }
            if let until = state.lockedUntil, until > now {
                return .locked(retryAfter: .nanoseconds(until - now))
            }
            state.failures += 1
            let wait = schedule.wait(afterFailures: state.failures).saturatingNanoseconds
            state.lockedUntil = wait > 0 ? now.saturatingAdding(wait) : nil
            let expiry = Self.attemptsExpiry(state, schedule: schedule, now: now)
            try shard.write(key, hash: hash, at: index, .attempts(state), expiresAt: expiry, now: now, whenFull: whenFull)
            return .admitted(failures: state.failures)
        }
    }

    /// Redis: unless `hard` is set, `f - 1` (never below 0); `HDEL until` only when `f` equalled the admitted count
    /// (no later reservation is counted, so a running lock is this one's), otherwise a running lock stays; `DEL`
    /// when nothing is left; the expiry is recomputed as in ``reserveAttempt(_:schedule:)``.
    public func refundAttempt(_ key: StateKey, admittedAs failures: Int, schedule: LockoutSchedule) async throws {
        try schedule.validate(admittedFailures: failures)
        try withShard(key) { shard, now, hash throws(StateStoreError) in
            guard let index = shard.live(key, hash: hash, now: now),
                var state = try shard.attempts(at: index), !state.hard
            else { return }
            // A reservation is admitted only while no lock runs, so a running lock belongs to the newest admitted
            // reservation still counted: this one when the count still equals its own.
            let ownsLock = state.failures == failures
            if ownsLock || (state.lockedUntil ?? .min) <= now { state.lockedUntil = nil }
            state.failures = max(state.failures - 1, 0)
            if state.failures == 0, state.lockedUntil == nil {
                shard.remove(at: index)
            } else {
                shard.update(at: index, .attempts(state), expiresAt: Self.attemptsExpiry(state, schedule: schedule, now: now))
            }
        }
    }

    /// Redis: when `hard` is `1`, `HDEL until` (the hard lock and its count stay); otherwise `DEL`.
    public func resetAttempts(_ key: StateKey) async throws {
        try withShard(key) { shard, now, hash throws(StateStoreError) in
            guard let index = shard.live(key, hash: hash, now: now), var state = try shard.attempts(at: index)
            else { return }
            guard state.hard else { return shard.remove(at: index) }
            state.lockedUntil = nil
            shard.update(at: index, .attempts(state), expiresAt: nil)
        }
    }

    /// Redis: `DEL`.
    public func clearLockout(_ key: StateKey) async throws {
        try withShard(key) { shard, now, hash throws(StateStoreError) in
            guard let index = shard.live(key, hash: hash, now: now) else { return }
            _ = try shard.attempts(at: index)
            shard.remove(at: index)
        }
    }

    /// Redis: `HMGET f until hard`.
    public func lockoutStatus(_ key: StateKey, schedule: LockoutSchedule) async throws -> LockoutStatus {
        try schedule.validate()
        return try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            let state = try shard.attempts(at: index) ?? AttemptState()
            let retryAfter = state.lockedUntil.flatMap { $0 > now ? Duration.nanoseconds($0 - now) : nil }
            return LockoutStatus(
                failures: state.failures,
                retryAfter: retryAfter,
                hardLocked: state.hard || state.failures >= schedule.hardLockAfter
            )
        }
    }

    private static func attemptsExpiry(_ state: AttemptState, schedule: LockoutSchedule, now: Int64) -> Int64? {
        guard !state.hard, state.failures < schedule.hardLockAfter else { return nil }
        let forgotten = now.saturatingAdding(schedule.failureMemory.saturatingNanoseconds)
        return max(forgotten, state.lockedUntil ?? forgotten)
    }

    // MARK: Counters, codes, claims

    /// Redis: a string holding the counter in decimal; `SET ... PX ttl` only when absent or smaller (compared as
    /// numbers in the script). A replay leaves the value and its TTL alone.
    public func advanceCounter(_ key: StateKey, to value: UInt64, ttl: Duration) async throws -> Bool {
        try StateStoreBounds.checkTTL(ttl)
        let lifetime = ttl.saturatingNanoseconds
        return try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            switch index.map({ shard.entries[$0].value }) {
            case nil: break
            case .counter(let stored): if stored >= value { return false }
            case .some: throw Self.wrongKind
            }
            try shard.write(key, hash: hash, at: index, .counter(value), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
            return true
        }
    }

    /// Redis: a hash with fields `d` (digest), `c` (context) and `t` (tries left), `PEXPIRE`d at `ttl`.
    public func putCode(_ key: StateKey, digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) async throws {
        try StateStoreBounds.checkCode(digest: digest, context: context, tries: tries, ttl: ttl)
        let lifetime = ttl.saturatingNanoseconds
        try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            switch index.map({ shard.entries[$0].value }) {
            case nil, .code: break
            case .some: throw Self.wrongKind
            }
            let code = StoredCode(digest: digest, context: context, triesLeft: tries)
            try shard.write(key, hash: hash, at: index, .code(code), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
        }
    }

    /// Redis: `HGET d`, compared in the script (Lua string equality; the constant-time compare is this store's);
    /// on a match `DEL` and return `c`; otherwise `HINCRBY t -1`, and `DEL` when it reaches 0. The TTL is kept.
    public func redeemCode(_ key: StateKey, digest: [UInt8]) async throws -> CodeRedemption {
        try StateStoreBounds.checkDigest(digest)
        return try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            let stored: StoredCode
            switch index.map({ shard.entries[$0].value }) {
            case nil: return .absent
            case .code(let code): stored = code
            case .some: throw Self.wrongKind
            }
            if ConstantTime.equals(stored.digest, digest) {
                shard.remove(key, hash: hash)
                return .redeemed(context: stored.context)
            }
            let triesLeft = stored.triesLeft - 1
            if triesLeft <= 0 {
                shard.remove(key, hash: hash)
                return .mismatch(triesLeft: 0)
            }
            var spent = stored
            spent.triesLeft = triesLeft
            shard.replaceValue(key, hash: hash, .code(spent))
            return .mismatch(triesLeft: triesLeft)
        }
    }

    /// Redis: a set of digests: `DEL`, then `SADD` every digest and `PEXPIRE` at `ttl` (an empty set is just `DEL`).
    public func putCodeSet(_ key: StateKey, digests: [[UInt8]], ttl: Duration) async throws {
        try StateStoreBounds.checkCodeSet(digests: digests, ttl: ttl)
        let lifetime = ttl.saturatingNanoseconds
        var unique: [[UInt8]] = []
        for digest in digests where !unique.contains(digest) { unique.append(digest) }
        try withShard(key) { [unique] shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            switch index.map({ shard.entries[$0].value }) {
            case nil, .codeSet: break
            case .some: throw Self.wrongKind
            }
            if unique.isEmpty { return shard.remove(key, hash: hash) }
            try shard.write(key, hash: hash, at: index, .codeSet(unique), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
        }
    }

    /// Redis: `SREM key digest`, then `SCARD` when it removed one (Redis drops the key when the set empties).
    /// This store compares against every member in constant time, so timing tells nothing about which matched.
    public func redeemFromCodeSet(_ key: StateKey, digest: [UInt8]) async throws -> Int? {
        try StateStoreBounds.checkDigest(digest)
        return try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            let members: [[UInt8]]
            switch index.map({ shard.entries[$0].value }) {
            case nil: return nil
            case .codeSet(let stored): members = stored
            case .some: throw Self.wrongKind
            }
            var match: Int?
            for (index, member) in members.enumerated() {
                let equal = ConstantTime.equals(member, digest)
                if equal && match == nil { match = index }
            }
            guard let match else { return nil }
            var remaining = members
            remaining.remove(at: match)
            if remaining.isEmpty {
                shard.remove(key, hash: hash)
            } else {
                shard.replaceValue(key, hash: hash, .codeSet(remaining))
            }
            return remaining.count
        }
    }

    /// Redis: `SCARD`.
    public func codeSetCount(_ key: StateKey) async throws -> Int {
        try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            switch index.map({ shard.entries[$0].value }) {
            case nil: return 0
            case .codeSet(let members): return members.count
            case .some: throw Self.wrongKind
            }
        }
    }

    /// Redis: `SET key 1 NX PX ttl`.
    public func claim(_ key: StateKey, ttl: Duration) async throws -> Bool {
        try StateStoreBounds.checkTTL(ttl)
        let lifetime = ttl.saturatingNanoseconds
        return try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            guard index == nil else { return false }
            try shard.write(key, hash: hash, at: index, .marker, expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
            return true
        }
    }

    /// Redis: `DEL`.
    public func remove(_ key: StateKey) async throws {
        try withShard(key) { shard, _, hash throws(StateStoreError) in shard.remove(key, hash: hash) }
    }

    // MARK: Events

    /// Redis: a list, newest first: `LPUSH`, `LTRIM 0 keepLast-1`, `PEXPIRE ttl`.
    public func appendEvent(_ key: StateKey, _ payload: [UInt8], keepLast: Int, ttl: Duration) async throws {
        try StateStoreBounds.checkEvent(payload, keepLast: keepLast, ttl: ttl)
        let lifetime = ttl.saturatingNanoseconds
        try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            var events: [[UInt8]]
            switch index.map({ shard.entries[$0].value }) {
            case nil: events = []
            case .events(let stored): events = stored
            case .some: throw Self.wrongKind
            }
            // Oldest first here, so an append does not shift the list; reads reverse it.
            events.append(payload)
            if events.count > keepLast { events.removeFirst(events.count - keepLast) }
            try shard.write(key, hash: hash, at: index, .events(events), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
        }
    }

    /// Redis: `LRANGE 0 limit-1`.
    public func recentEvents(_ key: StateKey, limit: Int) async throws -> [[UInt8]] {
        try StateStoreBounds.checkEventCount(limit)
        return try withShard(key) { shard, now, hash throws(StateStoreError) in
            let index = shard.live(key, hash: hash, now: now)
            switch index.map({ shard.entries[$0].value }) {
            case nil: return []
            case .events(let events): return Array(events.reversed().prefix(limit))
            case .some: throw Self.wrongKind
            }
        }
    }

    // MARK: Shards

    private static let wrongKind = StateStoreError.invalidArgument("the key holds another kind of state")

    /// The hash of every key with this `namespace` and `name` half done, for a caller that makes many such keys
    /// (``acquireToken(_:gcra:prefix:)``), so each decision hashes only the scope: two of the three strings a hash
    /// reads are the same on every decision of one `RateLimiter`.
    func hashPrefix(namespace: String, name: String) -> StoreHashPrefix {
        StoreHashPrefix(hashKey, namespace: namespace, name: name)
    }

    private func withShard<Result: Sendable>(
        _ key: StateKey,
        _ body: (inout Shard, Int64, UInt64) throws(StateStoreError) -> Result
    ) throws(StateStoreError) -> Result {
        try withShard(key, hash: key.storeHash(hashKey), body)
    }

    private func withShard<Result: Sendable>(
        _ key: StateKey, hash: UInt64,
        _ body: (inout Shard, Int64, UInt64) throws(StateStoreError) -> Result
    ) throws(StateStoreError) -> Result {
        // One keyed hash per operation, for both the shard and the slot (see StateKey.storeHash). Its key is secret
        // and random per process, so shard choice cannot be predicted from outside. Multiplying the high half by the
        // shard count maps it onto the shards without a division.
        let index = Int(truncatingIfNeeded: ((hash >> 32) &* UInt64(shards.count)) >> 32)
        // Read before the lock, so the lock is held for the table work alone (with two threads on one key, the
        // clock call inside the lock lengthened the stretch they queue on); `Shard.time(after:)` restores the order.
        let reading = systemClock?.elapsedNanoseconds() ?? clock.now().saturatingNanoseconds
        return try shards[index].withLock { (shard) throws(StateStoreError) -> Result in
            let now = shard.time(after: reading)
            return try body(&shard, now, hash)
        }
    }
}

/// A ``RateLimit`` checked and converted to integer nanoseconds once.
struct GCRA: Sendable {
    /// The time one token takes to come back.
    let interval: Int64
    /// `burst * interval`: how far ahead of now the theoretical arrival time may run.
    let window: Int64

    /// `limit` converted; `limit` must already have passed ``RateLimit/validate()``.
    init(_ limit: RateLimit) {
        interval = limit.interval.saturatingNanoseconds
        window = interval * Int64(limit.burst)  // bounded: 10,000 x 1 day < Int64.max
    }
}

/// One kind of state per key, as Redis types a key.
private enum StoredValue {
    case tokenBucket(arrival: Int64)
    case attempts(AttemptState)
    case counter(UInt64)
    case code(StoredCode)
    case codeSet([[UInt8]])
    case marker
    case events([[UInt8]])

    /// Whether losing this entry before its expiry costs no credential guess and no code reuse, so a full shard
    /// may evict it (``InMemoryStateStore/WhenFull/evictExpendable``): a GCRA bucket (its sender gets its burst
    /// back; every account's own lockout still counts each guess) and an event list (the log sink keeps the
    /// record). Failure counts and locks, used-step counters, codes, code sets and claims (a resend cooldown or a
    /// one-shot claim: the store cannot tell which) are never evicted.
    var isExpendable: Bool {
        switch self {
        case .tokenBucket, .events: true
        case .attempts, .counter, .code, .codeSet, .marker: false
        }
    }
}

private struct AttemptState {
    var failures = 0
    var lockedUntil: Int64?
    var hard = false
}

private struct StoredCode {
    var digest: [UInt8]
    var context: [UInt8]
    var triesLeft: Int
}

private struct Entry {
    var key: StateKey
    /// `key.storeHash`, kept so a lookup compares keys only when hashes match, and so the table can move the entry.
    var hash: UInt64
    var value: StoredValue
    /// Monotonic nanoseconds; `Int64.max` never expires (a hard lock).
    var expiresAt: Int64
    /// The `expiresAt` of this entry's current heap item, at most `expiresAt`; `Int64.max` when it has none.
    var itemExpiresAt: Int64
    /// Which heap item is current for this entry (0: none); other items naming it are stale.
    var generation: UInt64
}

/// One shard's keys: the entries in a dense array, found through an open-addressing table of slots.
///
/// Why not `[StateKey: Entry]`: a `Dictionary` lookup hashes the key's three strings again on every access (a
/// decision made two or three), its storage doubles and rehashes every key through SipHash as a flood of new keys
/// grows it, and each entry of the old expiry heap carried the key itself. Here the key is hashed once per operation
/// by the store, a slot is one `UInt64` holding 32 bits of that hash and the entry's index (so probing touches one
/// cache line and growing the table never reads an entry or hashes a string), and entries stay packed for compaction.
private struct Shard {
    let capacity: Int
    private(set) var entries: [Entry] = []
    /// Linear probing over a power-of-two table, at most 3/4 full. A slot is `tag << 32 | (index + 1)`, where `tag`
    /// is the low 32 bits of the key's hash (its home slot is `tag & mask`), and 0 is empty.
    private var slots: [UInt64]
    private var mask: Int
    /// The expiries of entries holding security state (``StoredValue/isExpendable`` false): swept when expired,
    /// never evicted.
    private var protectedExpiries: ExpiryHeap
    /// The expiries of expendable entries: swept when expired, and the only ones a full shard evicts.
    private var expendableExpiries: ExpiryHeap
    private var nextGeneration: UInt64 = 0
    /// The latest time an operation in this shard has used.
    private var latest: Int64 = .min

    /// Up to this many keys a shard is allocated at its capacity when made, so a flood of new keys does not copy
    /// the entries and heap arrays as they double (the memory is reserved, and the system commits pages only as
    /// entries fill them). Past it, the arrays grow by doubling. 32,768 keys a shard: stores of up to about two
    /// million keys are allocated whole; a shard of a bigger store reserves about 4.5 MiB to start.
    private static let reservedKeys = 32_768
    /// The table starts at most this large (32 KiB a shard, zeroed when made) and doubles as the shard fills.
    private static let initialSlots = 4_096

    init(capacity: Int) {
        self.capacity = capacity
        let reserved = min(capacity, Self.reservedKeys)
        entries.reserveCapacity(reserved)
        protectedExpiries = ExpiryHeap(reservingCapacity: reserved)
        expendableExpiries = ExpiryHeap(reservingCapacity: reserved)
        let wanted = min(Self.initialSlots, Self.tableSize(for: capacity))
        slots = Array(repeating: 0, count: wanted)
        mask = wanted - 1
    }

    /// The smallest power of two that holds `count` keys at most 3/4 full, and at least 8.
    private static func tableSize(for count: Int) -> Int {
        var size = 8
        while size / 4 * 3 < count { size *= 2 }
        return size
    }

    /// The time for an operation that read `reading` before taking the lock: never earlier than one that held the
    /// lock before it, so operations on one key see non-decreasing times in the order they run.
    mutating func time(after reading: Int64) -> Int64 {
        if reading > latest { latest = reading }
        return latest
    }

    // MARK: Lookup

    /// The index of `key`'s entry, expired or not.
    func find(_ key: StateKey, hash: UInt64) -> Int? {
        let tag = hash & 0xFFFF_FFFF
        var position = Int(truncatingIfNeeded: tag) & mask
        while true {
            let slot = slots[position]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let index = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                if entries[index].hash == hash, entries[index].key == key { return index }
            }
            position = (position + 1) & mask
        }
    }

    /// The index of `key`'s entry, dropping it first if it has expired.
    mutating func live(_ key: StateKey, hash: UInt64, now: Int64) -> Int? {
        guard let index = find(key, hash: hash) else { return nil }
        if entries[index].expiresAt <= now {
            remove(at: index)
            return nil
        }
        return index
    }

    /// The lockout state in the entry at `index` (nil: no entry).
    func attempts(at index: Int?) throws(StateStoreError) -> AttemptState? {
        guard let index else { return nil }
        guard case .attempts(let state) = entries[index].value else {
            throw StateStoreError.invalidArgument("the key holds another kind of state")
        }
        return state
    }

    // MARK: Writes

    /// Stores `value` at `key`, whose entry is at `index` (nil: absent), making room first when `key` is new and
    /// the shard is full.
    mutating func write(
        _ key: StateKey, hash: UInt64, at index: Int?, _ value: StoredValue, expiresAt: Int64?, now: Int64,
        whenFull: InMemoryStateStore.WhenFull
    ) throws(StateStoreError) {
        if let index {
            update(at: index, value, expiresAt: expiresAt)
            return
        }
        if entries.count >= capacity {
            try makeRoom(now: now, whenFull: whenFull)
        }
        // The heap item is pushed from what is known here, not read back from the new entry: the entry is written
        // to memory no key has touched yet, and reading it at once waited for that cache line (with a million
        // distinct keys, 11% of the run in `track`).
        let expiry = expiresAt ?? .max
        var generation: UInt64 = 0
        if expiry != .max {
            nextGeneration &+= 1
            generation = nextGeneration
            push(ExpiryHeap.Item(expiresAt: expiry, generation: generation, hash: hash), expendable: value.isExpendable)
        }
        entries.append(
            Entry(key: key, hash: hash, value: value, expiresAt: expiry, itemExpiresAt: expiry, generation: generation))
        place(hash: hash, index: entries.count - 1)
        compactIfNeeded()
    }

    /// Replaces the value and expiry of the entry at `index`.
    mutating func update(at index: Int, _ value: StoredValue, expiresAt: Int64?) {
        entries[index].value = value
        entries[index].expiresAt = expiresAt ?? .max
        track(index)
    }

    /// Replaces the value at an existing `key`, keeping its expiry (a spent try, a redeemed set member).
    mutating func replaceValue(_ key: StateKey, hash: UInt64, _ value: StoredValue) {
        guard let index = find(key, hash: hash) else { return }
        entries[index].value = value
    }

    mutating func remove(_ key: StateKey, hash: UInt64) {
        guard let index = find(key, hash: hash) else { return }
        remove(at: index)
    }

    /// Removes the entry at `index`: empties its slot and moves the last entry into its place.
    mutating func remove(at index: Int) {
        vacate(slotOf: index, hash: entries[index].hash)
        let last = entries.count - 1
        if index != last {
            retarget(slotOf: last, hash: entries[last].hash, to: index)
            entries.swapAt(index, last)
        }
        entries.removeLast()
    }

    // MARK: Expiry

    /// Keeps the heap's promise for the entry at `index`: a current item no later than its expiry. A write that
    /// moves the expiry later (each allowed decision on a token bucket) keeps the item it has, so the hot path
    /// pushes nothing; the item is put back with the true time if it ever reaches the top. Before, every write
    /// pushed an item holding a copy of the key, and one hot key rebuilt the heap every 66 decisions.
    private mutating func track(_ index: Int) {
        let expiresAt = entries[index].expiresAt
        guard expiresAt < entries[index].itemExpiresAt else { return }
        nextGeneration &+= 1
        entries[index].itemExpiresAt = expiresAt
        entries[index].generation = nextGeneration
        push(
            ExpiryHeap.Item(expiresAt: expiresAt, generation: nextGeneration, hash: entries[index].hash),
            expendable: entries[index].value.isExpendable)
        compactIfNeeded()
    }

    /// Pushes `item` on the heap of its kind. The caller then calls ``compactIfNeeded()``, once the entry the
    /// item names is in the table (compaction rebuilds the heaps from the entries).
    private mutating func push(_ item: ExpiryHeap.Item, expendable: Bool) {
        if expendable { expendableExpiries.push(item) } else { protectedExpiries.push(item) }
    }

    /// Rebuilds the heaps when stale items outnumber live ones in either.
    private mutating func compactIfNeeded() {
        if protectedExpiries.needsCompaction(liveCount: entries.count)
            || expendableExpiries.needsCompaction(liveCount: entries.count)
        {
            compact()
        }
    }

    /// How many expiry records both heaps carry, stale ones included.
    var expiryRecordCount: Int { protectedExpiries.count + expendableExpiries.count }

    private func top(expendable: Bool) -> ExpiryHeap.Item? {
        expendable ? expendableExpiries.top : protectedExpiries.top
    }

    private mutating func pop(expendable: Bool) {
        if expendable { expendableExpiries.pop() } else { protectedExpiries.pop() }
    }

    /// The index of the entry `item` is current for, or nil when the item is stale.
    private func entry(of item: ExpiryHeap.Item) -> Int? {
        let tag = item.hash & 0xFFFF_FFFF
        var position = Int(truncatingIfNeeded: tag) & mask
        while true {
            let slot = slots[position]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let index = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                if entries[index].generation == item.generation { return index }
            }
            position = (position + 1) & mask
        }
    }

    /// Pops one heap until its top is current and exact: stale items are dropped, and an item whose entry now
    /// expires later is put back with the entry's true time. Returns the index of the entry of that kind nearest
    /// expiry (nil: none expires).
    private mutating func nearestExpiry(expendable: Bool) -> Int? {
        while let top = top(expendable: expendable) {
            guard let index = entry(of: top) else {
                pop(expendable: expendable)
                continue
            }
            let expiresAt = entries[index].expiresAt
            if expiresAt == top.expiresAt { return index }
            pop(expendable: expendable)
            entries[index].itemExpiresAt = .max
            entries[index].generation = 0
            track(index)
        }
        return nil
    }

    /// Sweeps what has expired; then, still full, evicts the expendable entry nearest expiry when `whenFull`
    /// allows, or refuses. Entries holding security state are never evicted: evicting a failure count, a lock,
    /// a used-step marker or a code would reset it.
    private mutating func makeRoom(now: Int64, whenFull: InMemoryStateStore.WhenFull) throws(StateStoreError) {
        sweep(expendable: false, now: now)
        sweep(expendable: true, now: now)
        guard entries.count >= capacity else { return }
        guard whenFull == .evictExpendable, let nearest = nearestExpiry(expendable: true) else {
            throw StateStoreError.capacityExceeded
        }
        pop(expendable: true)
        remove(at: nearest)
    }

    /// Removes every entry of one kind that has expired by `now`.
    private mutating func sweep(expendable: Bool, now: Int64) {
        while let index = nearestExpiry(expendable: expendable), entries[index].expiresAt <= now {
            pop(expendable: expendable)
            remove(at: index)
        }
    }

    private mutating func compact() {
        var protected: [ExpiryHeap.Item] = []
        var expendable: [ExpiryHeap.Item] = []
        for index in entries.indices {
            let expiresAt = entries[index].expiresAt
            guard expiresAt != .max else {
                entries[index].itemExpiresAt = .max
                entries[index].generation = 0
                continue
            }
            nextGeneration &+= 1
            entries[index].itemExpiresAt = expiresAt
            entries[index].generation = nextGeneration
            let item = ExpiryHeap.Item(expiresAt: expiresAt, generation: nextGeneration, hash: entries[index].hash)
            if entries[index].value.isExpendable { expendable.append(item) } else { protected.append(item) }
        }
        protectedExpiries.rebuild(from: protected)
        expendableExpiries.rebuild(from: expendable)
    }

    // MARK: Table

    /// Puts entry `index` in the first empty slot from its hash's home, growing the table first when needed.
    private mutating func place(hash: UInt64, index: Int) {
        if entries.count > slots.count / 4 * 3 { grow() }
        let tag = hash & 0xFFFF_FFFF
        var position = Int(truncatingIfNeeded: tag) & mask
        while slots[position] != 0 { position = (position + 1) & mask }
        slots[position] = tag << 32 | UInt64(index + 1)
    }

    /// Doubles the table. Slots carry their home, so this reads only the old table.
    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot != 0 {
            var position = Int(truncatingIfNeeded: slot >> 32) & mask
            while slots[position] != 0 { position = (position + 1) & mask }
            slots[position] = slot
        }
    }

    /// The position of the slot holding entry `index`, whose hash is `hash`.
    private func position(ofSlotFor index: Int, hash: UInt64) -> Int {
        let wanted = (hash & 0xFFFF_FFFF) << 32 | UInt64(index + 1)
        var position = Int(truncatingIfNeeded: hash & 0xFFFF_FFFF) & mask
        // Every entry has a slot, so this finds it before any empty slot.
        while slots[position] != wanted, slots[position] != 0 { position = (position + 1) & mask }
        return position
    }

    /// Points the slot of entry `index` at `newIndex`.
    private mutating func retarget(slotOf index: Int, hash: UInt64, to newIndex: Int) {
        let position = position(ofSlotFor: index, hash: hash)
        slots[position] = (hash & 0xFFFF_FFFF) << 32 | UInt64(newIndex + 1)
    }

    /// Empties the slot of entry `index` by backward-shift deletion: each later slot of the run that may move into
    /// the hole (its home is not between the hole and it) does, so no tombstones pile up and probes stay short.
    private mutating func vacate(slotOf index: Int, hash: UInt64) {
        var hole = position(ofSlotFor: index, hash: hash)
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: slots[next] >> 32) & mask
            if (next - home) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }
}
