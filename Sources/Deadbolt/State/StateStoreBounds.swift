/// The argument bounds every ``StateStore`` enforces, so an in-memory store and a Redis store refuse the same
/// inputs and no caller can make one entry arbitrarily large.
///
/// Each check throws ``StateStoreError/invalidArgument(_:)`` naming the argument and the accepted range.
public enum StateStoreBounds {
    /// The longest duration any store accepts for a TTL, a wait or an interval: 3660 days, so an HOTP counter or
    /// a set of recovery codes can live as long as its credential (ten years). Longer state is a configuration
    /// mistake, and the bound keeps nanosecond arithmetic far from `Int64` overflow (3660 days is 3.2e17 ns).
    public static let maximumDuration: Duration = .seconds(maximumDurationDays * 24 * 3600)
    /// ``maximumDuration`` in days.
    public static let maximumDurationDays = 3660
    /// The longest GCRA interval: one day.
    public static let maximumRateInterval: Duration = .seconds(24 * 3600)
    /// The largest GCRA burst.
    public static let maximumBurst = 10_000
    /// The longest code digest in bytes (a SHA-512 HMAC).
    public static let maximumDigestLength = 64
    /// The longest context stored with a code, in bytes.
    public static let maximumContextLength = 1024
    /// The most tries a single code may allow.
    public static let maximumCodeTries = 1000
    /// The most codes in one code set (recovery codes come in tens).
    public static let maximumCodeSetSize = 100
    /// The longest encoded event, in bytes.
    public static let maximumEventLength = 2048
    /// The most events one list keeps or one read returns.
    public static let maximumEventsKept = 1000

    /// Checks that `ttl` is positive and at most ``maximumDuration``.
    public static func checkTTL(_ ttl: Duration, _ name: String = "ttl") throws {
        guard ttl > .zero, ttl <= maximumDuration else {
            throw StateStoreError.invalidArgument("\(name) must be positive and at most \(maximumDurationDays) days")
        }
    }

    /// Checks that `digest` is 1 to ``maximumDigestLength`` bytes.
    public static func checkDigest(_ digest: [UInt8]) throws {
        guard (1...maximumDigestLength).contains(digest.count) else {
            throw StateStoreError.invalidArgument("digest must be 1 to \(maximumDigestLength) bytes")
        }
    }

    /// Checks the arguments of ``StateStore/putCode(_:digest:context:tries:ttl:)``.
    public static func checkCode(digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) throws {
        try checkDigest(digest)
        guard context.count <= maximumContextLength else {
            throw StateStoreError.invalidArgument("context must be at most \(maximumContextLength) bytes")
        }
        guard (1...maximumCodeTries).contains(tries) else {
            throw StateStoreError.invalidArgument("tries must be 1 to \(maximumCodeTries)")
        }
        try checkTTL(ttl)
    }

    /// Checks the arguments of ``StateStore/putCodeSet(_:digests:ttl:)``. An empty set is allowed (it removes).
    public static func checkCodeSet(digests: [[UInt8]], ttl: Duration) throws {
        guard digests.count <= maximumCodeSetSize else {
            throw StateStoreError.invalidArgument("a code set holds at most \(maximumCodeSetSize) codes")
        }
        for digest in digests { try checkDigest(digest) }
        try checkTTL(ttl)
    }

    /// Checks the arguments of ``StateStore/appendEvent(_:_:keepLast:ttl:)``.
    public static func checkEvent(_ payload: [UInt8], keepLast: Int, ttl: Duration) throws {
        guard (1...maximumEventLength).contains(payload.count) else {
            throw StateStoreError.invalidArgument("an event must be 1 to \(maximumEventLength) bytes")
        }
        try checkEventCount(keepLast, "keepLast", minimum: 1)
        try checkTTL(ttl)
    }

    /// Checks that an event count is between `minimum` and ``maximumEventsKept``.
    public static func checkEventCount(_ count: Int, _ name: String = "limit", minimum: Int = 0) throws {
        guard (minimum...maximumEventsKept).contains(count) else {
            throw StateStoreError.invalidArgument("\(name) must be \(minimum) to \(maximumEventsKept)")
        }
    }
}

extension RateLimit {
    /// Checks that the burst is 1 to ``StateStoreBounds/maximumBurst`` and the interval positive and at most
    /// ``StateStoreBounds/maximumRateInterval``; throws ``StateStoreError/invalidArgument(_:)`` otherwise.
    public func validate() throws {
        guard (1...StateStoreBounds.maximumBurst).contains(burst) else {
            throw StateStoreError.invalidArgument("burst must be 1 to \(StateStoreBounds.maximumBurst)")
        }
        guard interval > .zero, interval <= StateStoreBounds.maximumRateInterval else {
            throw StateStoreError.invalidArgument("interval must be positive and at most one day")
        }
    }
}

extension LockoutSchedule {
    /// The most consecutive failures any schedule may allow before its hard lock (NIST SP 800-63B §5.2.2:
    /// "no more than 100 consecutive failed authentication attempts on a single account").
    public static let maximumHardLockAfter = 100

    /// Checks the schedule: threshold at least 1; hard lock after 1 to ``maximumHardLockAfter`` failures;
    /// waits from zero to ``StateStoreBounds/maximumDuration`` with `initialWait <= maximumWait`; a positive
    /// failure memory no longer than ``StateStoreBounds/maximumDuration``. Throws
    /// ``StateStoreError/invalidArgument(_:)`` naming the first field out of range.
    public func validate() throws {
        guard threshold >= 1 else { throw StateStoreError.invalidArgument("threshold must be at least 1") }
        guard (1...Self.maximumHardLockAfter).contains(hardLockAfter) else {
            throw StateStoreError.invalidArgument("hardLockAfter must be 1 to \(Self.maximumHardLockAfter)")
        }
        guard initialWait >= .zero, maximumWait >= initialWait, maximumWait <= StateStoreBounds.maximumDuration
        else {
            throw StateStoreError.invalidArgument("waits must satisfy 0 <= initialWait <= maximumWait <= \(StateStoreBounds.maximumDurationDays) days")
        }
        try StateStoreBounds.checkTTL(failureMemory, "failureMemory")
    }

    /// Checks the schedule and that `failures`, the count a reservation was admitted with, is one this schedule
    /// can admit: 1 to ``hardLockAfter``. Throws ``StateStoreError/invalidArgument(_:)`` otherwise.
    public func validate(admittedFailures failures: Int) throws {
        try validate()
        guard (1...hardLockAfter).contains(failures) else {
            throw StateStoreError.invalidArgument("an admitted failure count must be 1 to hardLockAfter (\(hardLockAfter))")
        }
    }
}
