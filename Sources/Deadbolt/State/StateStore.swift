/// The shared state behind limits, lockouts, replay protection and one-time codes.
///
/// Every operation is atomic on its own: two callers (or two replicas) racing on one key can never both take the
/// last attempt, both advance a counter to the same value, or both redeem one code. Each operation is shaped to be
/// one Redis Lua script: it touches exactly one key (whose ``StateKey/scope`` is the Redis Cluster hash tag), and
/// it reads time from the store's own clock (Redis `TIME`, or the in-memory store's injected ``Clock``), never the
/// caller's. Durations are relative, so no two replicas' clocks are ever compared.
///
/// Every operation throws ``StateStoreError`` when the store cannot answer; the policy above it decides whether
/// that denies (fails closed, the default for credential and code checks) or allows (fails open).
///
/// ``InMemoryStateStore`` documents, on each operation, the Redis data shape it mirrors, and
/// ``StateStoreBounds`` the argument ranges every store refuses outside of.
public protocol StateStore: Sendable {
    /// Takes one token from the GCRA bucket at `key` (generic cell rate algorithm: a burst of `limit.burst`, then
    /// one token per `limit.interval`). A denied request takes nothing.
    func acquireToken(_ key: StateKey, limit: RateLimit) async throws -> RateDecision

    /// Gives back one token taken by ``acquireToken(_:limit:)`` at `key` (a check that succeeded, or a request
    /// another budget refused): moves the bucket's theoretical arrival time back by one `limit.interval`, never
    /// below now. Nothing stored: nothing happens.
    func refundToken(_ key: StateKey, limit: RateLimit) async throws

    /// Reserves one credential attempt at `key` before the (slow) check runs. An admitted reservation already
    /// counts as a consecutive failure; the caller clears it with ``resetAttempts(_:)`` when the check succeeds.
    /// When the reservation brings the count to a step of `schedule`, the key locks for that step's wait.
    /// The reservation that brings the count to `schedule.hardLockAfter` is still admitted (it may be the right
    /// credential) and makes the count permanent; the next reservation finds the count there, sets the hard lock
    /// and answers ``AttemptReservation/hardLocked``. So at most `hardLockAfter` consecutive failures ever run.
    func reserveAttempt(_ key: StateKey, schedule: LockoutSchedule) async throws -> AttemptReservation

    /// Undoes one admitted reservation at `key` that never ran its check (another budget refused the attempt);
    /// `failures` is the count it was admitted with (``AttemptReservation/admitted(failures:)``).
    ///
    /// It takes one failure off the count and nothing else of anyone's: a timed lock is lifted only when the
    /// count still equals `failures`, that is when no reservation admitted after this one is still counted, so
    /// the lock can only be the one this reservation set (a reservation is admitted only while no lock runs).
    /// A lock set by a later reservation stays, with its end, even though this refund lowers the count under it.
    /// Unlike ``resetAttempts(_:)`` it keeps the rest of the count, so refusing an attempt elsewhere never wipes
    /// the failures an attacker already spent here. A hard lock stays. When two reservations are refunded in the
    /// order they were admitted, the later one's lock stays too (the count no longer says whose it is): that errs
    /// toward locking, for one wait at most.
    ///
    /// Throws ``StateStoreError/invalidArgument(_:)`` when `failures` is not 1 to `schedule.hardLockAfter`.
    func refundAttempt(_ key: StateKey, admittedAs failures: Int, schedule: LockoutSchedule) async throws

    /// Clears the consecutive-failure count and any timed lock at `key` (a successful check). A hard lock stays:
    /// only ``clearLockout(_:)`` lifts it.
    func resetAttempts(_ key: StateKey) async throws

    /// Clears everything at `key`, hard lock included (a completed recovery flow, or an administrator).
    func clearLockout(_ key: StateKey) async throws

    /// The lockout state at `key`, without changing it. A count at `schedule.hardLockAfter` reports
    /// ``LockoutStatus/hardLocked``: the next reservation will set the hard lock unless a success resets it first.
    func lockoutStatus(_ key: StateKey, schedule: LockoutSchedule) async throws -> LockoutStatus

    /// Raises the counter at `key` to `value` if nothing is stored or the stored value is smaller, and keeps it for
    /// `ttl`. Returns `true` when it advanced, `false` when the stored value was already `value` or more (a replay).
    func advanceCounter(_ key: StateKey, to value: UInt64, ttl: Duration) async throws -> Bool

    /// Stores a single-use code at `key` as its keyed `digest` (never the code), with `context` bytes returned on
    /// redemption, `tries` wrong attempts before it dies, for `ttl`. Replaces any code already there.
    func putCode(_ key: StateKey, digest: [UInt8], context: [UInt8], tries: Int, ttl: Duration) async throws

    /// Redeems the code at `key` if `digest` equals its stored digest (compared in constant time where the store
    /// can): deletes it and answers ``CodeRedemption/redeemed(context:)``. Otherwise spends one try, deleting the
    /// code when none are left.
    func redeemCode(_ key: StateKey, digest: [UInt8]) async throws -> CodeRedemption

    /// Stores a set of single-use codes at `key` as keyed digests, replacing any set there, for `ttl`.
    func putCodeSet(_ key: StateKey, digests: [[UInt8]], ttl: Duration) async throws

    /// Removes `digest` from the set at `key`. Returns how many codes remain if it was there, `nil` if it was not.
    func redeemFromCodeSet(_ key: StateKey, digest: [UInt8]) async throws -> Int?

    /// How many codes remain in the set at `key`.
    func codeSetCount(_ key: StateKey) async throws -> Int

    /// Creates a marker at `key` for `ttl` if none exists (a resend cooldown, a one-shot claim). Returns `true`
    /// when it created one, `false` when one was already there.
    func claim(_ key: StateKey, ttl: Duration) async throws -> Bool

    /// Deletes whatever is at `key`.
    func remove(_ key: StateKey) async throws

    /// Appends an encoded event to the list at `key`, keeping the newest `keepLast`, for `ttl` after the last append.
    func appendEvent(_ key: StateKey, _ payload: [UInt8], keepLast: Int, ttl: Duration) async throws

    /// The newest `limit` events at `key`, newest first.
    func recentEvents(_ key: StateKey, limit: Int) async throws -> [[UInt8]]
}

/// The address of one piece of shared state.
///
/// Rendered for Redis as `deadbolt:{scope}:namespace[:name]`: the braces make `scope` the Redis Cluster hash tag.
/// Each operation touches one key, so cluster slots never split an operation.
public struct StateKey: Sendable, Hashable, CustomStringConvertible {
    /// What kind of state this is (`lockout`, `otp-step`, `code`, `rate`, ...): letters, digits, `-`, `_`, `.`.
    public let namespace: String
    /// Whose state it is (an account id, a source address): the cluster hash tag. Any bytes but `{` and `}`.
    public let scope: String
    /// A further discriminator inside the namespace (a purpose, a credential id), or empty.
    public let name: String

    /// The longest scope or name accepted, in UTF-8 bytes.
    public static let maximumComponentLength = 256

    /// A key whose `scope` is used as given: for a fixed scope or one already escaped. A key built from an
    /// identifier (an account id, an address, anything a person or a request chose) goes through
    /// ``init(namespace:identifier:name:)`` instead, the one escaping rule every policy uses, so braces in an
    /// e-mail address neither break the key nor pick its Redis Cluster hash tag.
    ///
    /// Throws ``StateStoreError/invalidKey(_:)`` when a component is empty (scope, namespace), too long or holds a
    /// character that would break the rendered key (`{` or `}` in the scope).
    public init(namespace: String, scope: String, name: String = "") throws {
        guard !namespace.isEmpty, namespace.utf8.count <= 64,
            !namespace.utf8.anySatisfies({ !$0.isKeyWordCharacter })
        else { throw StateStoreError.invalidKey("namespace must be 1 to 64 letters, digits, '-', '_' or '.'") }
        guard !scope.isEmpty, scope.utf8.count <= Self.maximumComponentLength,
            !scope.utf8.anySatisfies({ $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") })
        else { throw StateStoreError.invalidKey("scope must be 1 to \(Self.maximumComponentLength) bytes without braces") }
        guard name.utf8.count <= Self.maximumComponentLength else {
            throw StateStoreError.invalidKey("name must be at most \(Self.maximumComponentLength) bytes")
        }
        self.namespace = namespace
        self.scope = scope
        self.name = name
    }

    /// The key as Redis stores it: `deadbolt:{scope}:namespace[:name]`.
    public var rendered: String {
        name.isEmpty ? "deadbolt:{\(scope)}:\(namespace)" : "deadbolt:{\(scope)}:\(namespace):\(name)"
    }

    public var description: String { rendered }
}

extension UInt8 {
    fileprivate var isKeyWordCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }
}

/// A GCRA rate: a burst of `burst` requests, refilled at one per `interval`.
public struct RateLimit: Sendable, Hashable {
    /// How many requests may come at once after a quiet spell; at least 1.
    public var burst: Int
    /// The time one token takes to come back; positive.
    public var interval: Duration

    /// A rate of `burst` at once, then one per `interval`.
    public init(burst: Int, interval: Duration) {
        self.burst = burst
        self.interval = interval
    }
}

/// The answer to ``StateStore/acquireToken(_:limit:)``.
public enum RateDecision: Sendable, Equatable {
    /// Allowed; `remaining` more requests would be allowed right now.
    case allowed(remaining: Int)
    /// Denied; a request after `retryAfter` would be allowed.
    case denied(retryAfter: Duration)
}

/// How consecutive failures lock a key: after `threshold` failures, wait `initialWait`, doubling with every further
/// failure up to `maximumWait`; at `hardLockAfter` failures, lock until ``StateStore/clearLockout(_:)``.
/// The count is forgotten `failureMemory` after the last failure.
public struct LockoutSchedule: Sendable, Hashable {
    /// Failures allowed before the first wait; at least 1.
    public var threshold: Int
    /// The first wait.
    public var initialWait: Duration
    /// The longest wait.
    public var maximumWait: Duration
    /// The failure count that locks until cleared; at most 100 (NIST SP 800-63B §5.2.2).
    public var hardLockAfter: Int
    /// How long a failure count is remembered after the last failure.
    public var failureMemory: Duration

    /// A schedule.
    public init(threshold: Int, initialWait: Duration, maximumWait: Duration, hardLockAfter: Int, failureMemory: Duration) {
        self.threshold = threshold
        self.initialWait = initialWait
        self.maximumWait = maximumWait
        self.hardLockAfter = hardLockAfter
        self.failureMemory = failureMemory
    }

    /// The wait after `failures` consecutive failures: none below the threshold, then `initialWait` doubling per
    /// failure, capped at `maximumWait`. The one formula every store implements (the Redis script mirrors it).
    public func wait(afterFailures failures: Int) -> Duration {
        guard failures >= threshold else { return .zero }
        let doublings = min(failures - threshold, 62)
        var wait = initialWait
        for _ in 0..<doublings {
            wait = wait * 2
            if wait >= maximumWait { return maximumWait }
        }
        return min(wait, maximumWait)
    }
}

/// The answer to ``StateStore/reserveAttempt(_:schedule:)``.
public enum AttemptReservation: Sendable, Equatable {
    /// The attempt may run; it is already counted as failure number `failures`.
    case admitted(failures: Int)
    /// Locked; try again after `retryAfter`.
    case locked(retryAfter: Duration)
    /// Locked until a recovery flow or an administrator clears it.
    case hardLocked
}

/// The answer to ``StateStore/lockoutStatus(_:schedule:)``.
public struct LockoutStatus: Sendable, Equatable {
    /// Consecutive failures remembered.
    public var failures: Int
    /// The wait left on a timed lock, or `nil` when not timed-locked.
    public var retryAfter: Duration?
    /// Whether the key is hard-locked.
    public var hardLocked: Bool

    /// A status.
    public init(failures: Int, retryAfter: Duration?, hardLocked: Bool) {
        self.failures = failures
        self.retryAfter = retryAfter
        self.hardLocked = hardLocked
    }
}

/// The answer to ``StateStore/redeemCode(_:digest:)``.
public enum CodeRedemption: Sendable, Equatable {
    /// The code matched and is now gone; `context` is what was stored with it.
    case redeemed(context: [UInt8])
    /// The code did not match; `triesLeft` more wrong tries are allowed (0: the code is now gone).
    case mismatch(triesLeft: Int)
    /// No code is there: never issued, expired, used, or out of tries.
    case absent
}

/// Why the state store could not answer. Never carries a secret or a code.
public enum StateStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store did not answer within its timeout.
    case timeout
    /// The store cannot be reached or refused the command; `reason` says how.
    case unavailable(reason: String)
    /// The store is at its capacity and could not make room.
    case capacityExceeded
    /// A key component is invalid; `reason` says which and what is allowed.
    case invalidKey(String)
    /// An argument is out of range; `reason` says which.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .timeout: "the state store did not answer in time"
        case .unavailable(let reason): "the state store is unavailable: \(reason)"
        case .capacityExceeded: "the state store is full"
        case .invalidKey(let reason): "invalid state key: \(reason)"
        case .invalidArgument(let reason): "invalid state store argument: \(reason)"
        }
    }
}
