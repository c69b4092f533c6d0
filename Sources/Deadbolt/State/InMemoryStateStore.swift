import Synchronization

/// The embedded ``StateStore``: process memory, sharded, bounded, on an injected monotonic clock.
///
/// Right for one replica, for tests, and for development; replicas that must share limits need a shared store
/// (the Redis store), because each in-memory store counts only what its own process saw.
///
/// - Concurrency: keys are spread over up to 64 shards by a per-process-seeded hash (so an attacker cannot aim
///   keys at one shard), each behind its own `Mutex`; there is no global lock. Each operation holds one shard's
///   lock for its whole read-modify-write, which is what makes it atomic.
/// - Time: every operation reads ``MonotonicClock/now()`` once, inside the lock; all arithmetic is in integer
///   nanoseconds (the Redis scripts use integer milliseconds from `TIME`).
/// - Memory: at most `maximumKeys` keys, each of bounded size (``StateStoreBounds``). Expired entries are dropped
///   when touched, and swept from a shard when an insert finds it full. When a full shard has nothing expired,
///   ``WhenFull`` decides: evict the entry nearest expiry (the default), or refuse with
///   ``StateStoreError/capacityExceeded``. Entries that never expire (a hard lock, a count at the hard-lock
///   threshold) are never evicted; a shard full of them refuses.
/// - Keys holding another kind of state than the operation expects (a code where a lockout was asked) answer
///   ``StateStoreError/invalidArgument(_:)``, as Redis answers `WRONGTYPE`.
///
/// The Redis shape each operation mirrors is in its own documentation. Times in Redis values are milliseconds
/// on the server's `TIME`, and every key carries a `PEXPIRE` matching the in-memory expiry.
public final class InMemoryStateStore: StateStore {
    /// What an insert does when its shard is full and nothing in it has expired.
    public enum WhenFull: Sendable, Equatable {
        /// Evicts the entry nearest its expiry. Keeps the service answering under a flood of distinct keys; the
        /// cost is that a flood larger than the capacity can push out real state (a failure count) early, so size
        /// `maximumKeys` well above the working set (keys touched within the longest failure memory).
        case evictNearestExpiry
        /// Refuses the insert with ``StateStoreError/capacityExceeded``, which a fail-closed policy turns into a
        /// denial: no state is ever lost early, but a flood of distinct keys denies new keys until entries expire.
        case refuse
    }

    /// The default bound on keys: 100,000, a few tens of megabytes at most, and about a day of failure counts for
    /// a service seeing one new failing account a second.
    public static let defaultMaximumKeys = 100_000

    /// The most shards a store spreads its keys over.
    public static let maximumShards = 64

    private let shards: [ShardBox]
    private let clock: any MonotonicClock
    private let whenFull: WhenFull

    /// The bound on keys this store holds.
    public let maximumKeys: Int

    /// A store holding at most ``defaultMaximumKeys`` keys, evicting the entry nearest expiry when full, reading
    /// time from `clock`.
    public convenience init(clock: any MonotonicClock = SystemClock()) {
        self.init(checkedMaximumKeys: Self.defaultMaximumKeys, whenFull: .evictNearestExpiry, clock: clock)
    }

    /// A store holding at most `maximumKeys` keys (1 to 100,000,000), doing `whenFull` when a shard is full,
    /// reading time from `clock`.
    ///
    /// - Throws: ``StateStoreError/invalidArgument(_:)`` when `maximumKeys` is out of range.
    public convenience init(
        maximumKeys: Int, whenFull: WhenFull = .evictNearestExpiry, clock: any MonotonicClock = SystemClock()
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
            ShardBox(capacity: maximumKeys / shardCount + (index < maximumKeys % shardCount ? 1 : 0))
        }
        self.maximumKeys = maximumKeys
        self.whenFull = whenFull
        self.clock = clock
    }

    /// How many keys the store holds now, expired ones not yet dropped included. For tests and metrics.
    public var count: Int {
        shards.reduce(0) { total, box in total + box.shard.withLock { $0.entries.count } }
    }

    /// How many expiry records the shards carry, stale ones included; bounded by compaction. For tests.
    var expiryRecordCount: Int {
        shards.reduce(0) { total, box in total + box.shard.withLock { $0.expiries.count } }
    }

    // MARK: Rate limits

    /// GCRA: the key holds the bucket's theoretical arrival time (TAT). A request is allowed when the new TAT
    /// (`max(TAT, now) + interval`) is at most `burst * interval` ahead of now.
    ///
    /// Redis: a string holding the TAT in milliseconds, `PEXPIRE`d at the TAT (an absent key is a full bucket).
    public func acquireToken(_ key: StateKey, limit: RateLimit) async throws -> RateDecision {
        try limit.validate()
        let interval = limit.interval.saturatingNanoseconds
        let window = interval * Int64(limit.burst)  // bounded: 10,000 x 1 day < Int64.max
        return try withShard(key) { shard, now throws(StateStoreError) in
            let stored = try shard.tokenBucket(key, now: now)
            let arrival = max(stored ?? now, now).saturatingAdding(interval)
            let ahead = arrival - now
            guard ahead <= window else { return .denied(retryAfter: .nanoseconds(ahead - window)) }
            try shard.write(key, .tokenBucket(arrival: arrival), expiresAt: arrival, now: now, whenFull: whenFull)
            return .allowed(remaining: Int((window - ahead) / interval))
        }
    }

    /// Redis: `TAT = GET key - interval`; `DEL` when that is at or before now, else `SET` with `PEXPIRE` at it.
    public func refundToken(_ key: StateKey, limit: RateLimit) async throws {
        try limit.validate()
        let interval = limit.interval.saturatingNanoseconds
        try withShard(key) { shard, now throws(StateStoreError) in
            guard let stored = try shard.tokenBucket(key, now: now) else { return }
            let arrival = stored.saturatingAdding(-interval)
            if arrival <= now {
                shard.remove(key)
            } else {
                try shard.write(key, .tokenBucket(arrival: arrival), expiresAt: arrival, now: now, whenFull: whenFull)
            }
        }
    }

    // MARK: Lockout

    /// Redis: a hash with fields `f` (consecutive failures), `until` (end of the timed lock, milliseconds; absent
    /// when none) and `hard` (`1` when hard-locked). `PEXPIRE` at `max(now + failureMemory, until)`; `PERSIST`
    /// once `f` reaches `hardLockAfter` or `hard` is set, so only a clear removes it.
    public func reserveAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws -> AttemptReservation {
        try schedule.validate()
        return try withShard(key) { shard, now throws(StateStoreError) in
            var state = try shard.attempts(key, now: now) ?? AttemptState()
            if state.hard { return .hardLocked }
            if state.failures >= schedule.hardLockAfter {
                state.hard = true
                try shard.write(key, .attempts(state), expiresAt: nil, now: now, whenFull: whenFull)
                return .hardLocked
            }
            if let until = state.lockedUntil, until > now {
                return .locked(retryAfter: .nanoseconds(until - now))
            }
            state.failures += 1
            let wait = schedule.wait(afterFailures: state.failures).saturatingNanoseconds
            state.lockedUntil = wait > 0 ? now.saturatingAdding(wait) : nil
            let expiry = Self.attemptsExpiry(state, schedule: schedule, now: now)
            try shard.write(key, .attempts(state), expiresAt: expiry, now: now, whenFull: whenFull)
            return .admitted(failures: state.failures)
        }
    }

    /// Redis: unless `hard` is set, `HINCRBY f -1` and `HDEL until`; `DEL` when `f` reaches 0; the expiry is
    /// recomputed as in ``reserveAttempt(_:schedule:)``.
    public func refundAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws {
        try schedule.validate()
        try withShard(key) { shard, now throws(StateStoreError) in
            guard var state = try shard.attempts(key, now: now), !state.hard else { return }
            state.failures -= 1
            state.lockedUntil = nil
            if state.failures <= 0 {
                shard.remove(key)
            } else {
                let expiry = Self.attemptsExpiry(state, schedule: schedule, now: now)
                try shard.write(key, .attempts(state), expiresAt: expiry, now: now, whenFull: whenFull)
            }
        }
    }

    /// Redis: when `hard` is `1`, `HDEL until` (the hard lock and its count stay); otherwise `DEL`.
    public func resetAttempts(_ key: StateKey) async throws {
        try withShard(key) { shard, now throws(StateStoreError) in
            guard var state = try shard.attempts(key, now: now) else { return }
            guard state.hard else { return shard.remove(key) }
            state.lockedUntil = nil
            try shard.write(key, .attempts(state), expiresAt: nil, now: now, whenFull: whenFull)
        }
    }

    /// Redis: `DEL`.
    public func clearLockout(_ key: StateKey) async throws {
        try withShard(key) { shard, now throws(StateStoreError) in
            guard try shard.attempts(key, now: now) != nil else { return }
            shard.remove(key)
        }
    }

    /// Redis: `HMGET f until hard`.
    public func lockoutStatus(_ key: StateKey, schedule: LockoutSchedule) async throws -> LockoutStatus {
        try schedule.validate()
        return try withShard(key) { shard, now throws(StateStoreError) in
            let state = try shard.attempts(key, now: now) ?? AttemptState()
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
        return try withShard(key) { shard, now throws(StateStoreError) in
            switch shard.live(key, now: now)?.value {
            case nil: break
            case .counter(let stored): if stored >= value { return false }
            case .some: throw Self.wrongKind
            }
            try shard.write(key, .counter(value), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
            return true
        }
    }

    /// Redis: a hash with fields `d` (digest), `c` (context) and `t` (tries left), `PEXPIRE`d at `ttl`.
    public func putCode(_ key: StateKey, digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) async throws {
        try StateStoreBounds.checkCode(digest: digest, context: context, tries: tries, ttl: ttl)
        let lifetime = ttl.saturatingNanoseconds
        try withShard(key) { shard, now throws(StateStoreError) in
            switch shard.live(key, now: now)?.value {
            case nil, .code: break
            case .some: throw Self.wrongKind
            }
            let code = StoredCode(digest: digest, context: context, triesLeft: tries)
            try shard.write(key, .code(code), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
        }
    }

    /// Redis: `HGET d`, compared in the script (Lua string equality; the constant-time compare is this store's);
    /// on a match `DEL` and return `c`; otherwise `HINCRBY t -1`, and `DEL` when it reaches 0. The TTL is kept.
    public func redeemCode(_ key: StateKey, digest: [UInt8]) async throws -> CodeRedemption {
        try StateStoreBounds.checkDigest(digest)
        return try withShard(key) { shard, now throws(StateStoreError) in
            let stored: StoredCode
            switch shard.live(key, now: now)?.value {
            case nil: return .absent
            case .code(let code): stored = code
            case .some: throw Self.wrongKind
            }
            if ConstantTime.equals(stored.digest, digest) {
                shard.remove(key)
                return .redeemed(context: stored.context)
            }
            let triesLeft = stored.triesLeft - 1
            if triesLeft <= 0 {
                shard.remove(key)
                return .mismatch(triesLeft: 0)
            }
            var spent = stored
            spent.triesLeft = triesLeft
            shard.replaceValue(key, .code(spent))
            return .mismatch(triesLeft: triesLeft)
        }
    }

    /// Redis: a set of digests: `DEL`, then `SADD` every digest and `PEXPIRE` at `ttl` (an empty set is just `DEL`).
    public func putCodeSet(_ key: StateKey, digests: [[UInt8]], ttl: Duration) async throws {
        try StateStoreBounds.checkCodeSet(digests: digests, ttl: ttl)
        let lifetime = ttl.saturatingNanoseconds
        var unique: [[UInt8]] = []
        for digest in digests where !unique.contains(digest) { unique.append(digest) }
        try withShard(key) { [unique] shard, now throws(StateStoreError) in
            switch shard.live(key, now: now)?.value {
            case nil, .codeSet: break
            case .some: throw Self.wrongKind
            }
            if unique.isEmpty { return shard.remove(key) }
            try shard.write(key, .codeSet(unique), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
        }
    }

    /// Redis: `SREM key digest`, then `SCARD` when it removed one (Redis drops the key when the set empties).
    /// This store compares against every member in constant time, so timing tells nothing about which matched.
    public func redeemFromCodeSet(_ key: StateKey, digest: [UInt8]) async throws -> Int? {
        try StateStoreBounds.checkDigest(digest)
        return try withShard(key) { shard, now throws(StateStoreError) in
            let members: [[UInt8]]
            switch shard.live(key, now: now)?.value {
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
                shard.remove(key)
            } else {
                shard.replaceValue(key, .codeSet(remaining))
            }
            return remaining.count
        }
    }

    /// Redis: `SCARD`.
    public func codeSetCount(_ key: StateKey) async throws -> Int {
        try withShard(key) { shard, now throws(StateStoreError) in
            switch shard.live(key, now: now)?.value {
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
        return try withShard(key) { shard, now throws(StateStoreError) in
            guard shard.live(key, now: now) == nil else { return false }
            try shard.write(key, .marker, expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
            return true
        }
    }

    /// Redis: `DEL`.
    public func remove(_ key: StateKey) async throws {
        try withShard(key) { shard, _ throws(StateStoreError) in shard.remove(key) }
    }

    // MARK: Events

    /// Redis: a list, newest first: `LPUSH`, `LTRIM 0 keepLast-1`, `PEXPIRE ttl`.
    public func appendEvent(_ key: StateKey, _ payload: [UInt8], keepLast: Int, ttl: Duration) async throws {
        try StateStoreBounds.checkEvent(payload, keepLast: keepLast, ttl: ttl)
        let lifetime = ttl.saturatingNanoseconds
        try withShard(key) { shard, now throws(StateStoreError) in
            var events: [[UInt8]]
            switch shard.live(key, now: now)?.value {
            case nil: events = []
            case .events(let stored): events = stored
            case .some: throw Self.wrongKind
            }
            // Oldest first here, so an append does not shift the list; reads reverse it.
            events.append(payload)
            if events.count > keepLast { events.removeFirst(events.count - keepLast) }
            try shard.write(key, .events(events), expiresAt: now.saturatingAdding(lifetime), now: now, whenFull: whenFull)
        }
    }

    /// Redis: `LRANGE 0 limit-1`.
    public func recentEvents(_ key: StateKey, limit: Int) async throws -> [[UInt8]] {
        try StateStoreBounds.checkEventCount(limit)
        return try withShard(key) { shard, now throws(StateStoreError) in
            switch shard.live(key, now: now)?.value {
            case nil: return []
            case .events(let events): return Array(events.reversed().prefix(limit))
            case .some: throw Self.wrongKind
            }
        }
    }

    // MARK: Shards

    private static let wrongKind = StateStoreError.invalidArgument("the key holds another kind of state")

    private func withShard<Result: Sendable>(
        _ key: StateKey,
        _ body: (inout Shard, Int64) throws(StateStoreError) -> Result
    ) throws(StateStoreError) -> Result {
        // Hashable's seed is random per process, so shard choice cannot be predicted from outside.
        let index = Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))
        return try shards[index].shard.withLock { (shard) throws(StateStoreError) -> Result in
            // Read inside the lock, so operations on one key see non-decreasing times in the order they run.
            try body(&shard, clock.now().saturatingNanoseconds)
        }
    }
}

/// A `Mutex` cannot sit in an array (it is not copyable), so each shard's lives in a box.
private final class ShardBox: Sendable {
    let shard: Mutex<Shard>

    init(capacity: Int) {
        shard = Mutex(Shard(capacity: capacity))
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
    var value: StoredValue
    /// Monotonic nanoseconds; `nil` never expires (a hard lock).
    var expiresAt: Int64?
    /// Which heap item is current for this key; older items are stale.
    var generation: UInt64
}

private struct Shard {
    let capacity: Int
    var entries: [StateKey: Entry] = [:]
    var expiries = ExpiryHeap()
    var nextGeneration: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The entry at `key`, dropping it first if it has expired.
    mutating func live(_ key: StateKey, now: Int64) -> Entry? {
        guard let entry = entries[key] else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt <= now {
            entries[key] = nil
            return nil
        }
        return entry
    }

    mutating func tokenBucket(_ key: StateKey, now: Int64) throws(StateStoreError) -> Int64? {
        switch live(key, now: now)?.value {
        case nil: return nil
        case .tokenBucket(let arrival): return arrival
        case .some: throw StateStoreError.invalidArgument("the key holds another kind of state")
        }
    }

    mutating func attempts(_ key: StateKey, now: Int64) throws(StateStoreError) -> AttemptState? {
        switch live(key, now: now)?.value {
        case nil: return nil
        case .attempts(let state): return state
        case .some: throw StateStoreError.invalidArgument("the key holds another kind of state")
        }
    }

    /// Stores `value` at `key`, making room first when `key` is new and the shard is full.
    mutating func write(
        _ key: StateKey, _ value: StoredValue, expiresAt: Int64?, now: Int64, whenFull: InMemoryStateStore.WhenFull
    ) throws(StateStoreError) {
        if entries[key] == nil, entries.count >= capacity {
            try makeRoom(now: now, whenFull: whenFull)
        }
        nextGeneration &+= 1
        entries[key] = Entry(value: value, expiresAt: expiresAt, generation: nextGeneration)
        if let expiresAt {
            expiries.push(ExpiryHeap.Item(expiresAt: expiresAt, generation: nextGeneration, key: key))
        }
        if expiries.needsCompaction(liveCount: entries.count) { compact() }
    }

    /// Replaces the value at an existing `key`, keeping its expiry (a spent try, a redeemed set member).
    mutating func replaceValue(_ key: StateKey, _ value: StoredValue) {
        entries[key]?.value = value
    }

    mutating func remove(_ key: StateKey) {
        entries[key] = nil
    }

    private mutating func makeRoom(now: Int64, whenFull: InMemoryStateStore.WhenFull) throws(StateStoreError) {
        while let top = expiries.top, top.expiresAt <= now {
            expiries.pop()
            if entries[top.key]?.generation == top.generation { entries[top.key] = nil }
        }
        guard entries.count >= capacity else { return }
        guard whenFull == .evictNearestExpiry else { throw StateStoreError.capacityExceeded }
        while let nearest = expiries.pop() {
            if entries[nearest.key]?.generation == nearest.generation {
                entries[nearest.key] = nil
                return
            }
        }
        // Every entry here is permanent (hard locks): evicting one would lift a lock.
        throw StateStoreError.capacityExceeded
    }

    private mutating func compact() {
        expiries.rebuild(
            from: entries.compactMap { key, entry in
                entry.expiresAt.map { ExpiryHeap.Item(expiresAt: $0, generation: entry.generation, key: key) }
            }
        )
    }
}
