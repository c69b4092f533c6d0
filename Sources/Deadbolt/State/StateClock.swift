#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Monotonic time for the state store: how long since an arbitrary origin, never going back.
///
/// Locks, token buckets and expiries measure relative durations on this clock, so a wall-clock step (NTP, an
/// operator fixing the date) can neither lift a lock early nor extend one. Named apart from the standard library's
/// `Clock` protocol, which models instants and sleeping rather than a plain reading.
public protocol MonotonicClock: Sendable {
    /// The time elapsed since this clock's origin. Successive readings never decrease.
    func now() -> Duration
}

/// Wall-clock time, for stamping security events that people read (an account-activity page).
///
/// Never used to measure a lock or an expiry: only ``MonotonicClock`` does that.
public protocol WallClock: Sendable {
    /// Milliseconds since the Unix epoch (1970-01-01T00:00:00Z).
    func millisecondsSinceEpoch() -> Int64
}

extension WallClock {
    /// Whole seconds since the Unix epoch, as TOTP counts them (0 for a clock that reads before 1970).
    public func unixSeconds() -> UInt64 {
        let milliseconds = millisecondsSinceEpoch()
        return milliseconds > 0 ? UInt64(milliseconds / 1000) : 0
    }
}

/// The system's clocks: `ContinuousClock` for monotonic time and `CLOCK_REALTIME` for wall time.
///
/// `ContinuousClock` keeps counting while the machine sleeps (Linux `CLOCK_BOOTTIME`), so a lock set before a
/// suspend still ends at the right moment after it.
public struct SystemClock: MonotonicClock, WallClock {
    #if os(Linux) || os(Android)
        /// `CLOCK_BOOTTIME` (what `ContinuousClock` reads on Linux) in nanoseconds at creation. Kept as an integer
        /// because the in-memory store reads this clock on every decision, and through `ContinuousClock.Instant` and
        /// `Duration` each reading took 128-bit arithmetic and two 128-bit divisions to come back to nanoseconds.
        private let originNanoseconds: Int64
    #else
        private let origin: ContinuousClock.Instant
    #endif

    /// A clock whose monotonic origin is the moment it was created.
    public init() {
        #if os(Linux) || os(Android)
            originNanoseconds = Self.bootNanoseconds()
        #else
            origin = ContinuousClock.now
        #endif
    }

    public func now() -> Duration {
        .nanoseconds(elapsedNanoseconds())
    }

    /// ``now()`` in whole nanoseconds, without building a `Duration`: the in-memory store's fast path.
    func elapsedNanoseconds() -> Int64 {
        #if os(Linux) || os(Android)
            Self.bootNanoseconds() &- originNanoseconds
        #else
            origin.duration(to: ContinuousClock.now).saturatingNanoseconds
        #endif
    }

    #if os(Linux) || os(Android)
        /// `CLOCK_BOOTTIME` in nanoseconds, as `ContinuousClock` reads it (the call cannot fail for this clock id;
        /// `ContinuousClock` does not check it either).
        private static func bootNanoseconds() -> Int64 {
            var spec = timespec()
            _ = clock_gettime(CLOCK_BOOTTIME, &spec)
            return Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec)
        }
    #endif

    public func millisecondsSinceEpoch() -> Int64 {
        var spec = timespec()
        guard clock_gettime(CLOCK_REALTIME, &spec) == 0 else { return 0 }
        return Int64(spec.tv_sec) &* 1000 &+ Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to, for tests (yours too): locks, expiries and refills happen exactly when
/// the test advances it, so no test waits or asserts on real time.
///
/// Its wall time is `wallOrigin` plus its monotonic reading, so both move together.
public final class ManualClock: MonotonicClock, WallClock {
    private let elapsed: Mutex<Duration>
    private let wallOrigin: Int64

    /// A clock reading `start`, whose wall time starts at `wallOrigin` milliseconds since the Unix epoch
    /// (default 2025-01-01T00:00:00Z, an arbitrary fixed date so tests are reproducible).
    public init(start: Duration = .zero, wallOrigin: Int64 = 1_735_689_600_000) {
        elapsed = Mutex(start)
        self.wallOrigin = wallOrigin
    }

    /// Moves the clock forward by `step`. A negative step is ignored: a monotonic clock never goes back.
    public func advance(by step: Duration) {
        guard step > .zero else { return }
        elapsed.withLock { $0 += step }
    }

    public func now() -> Duration {
        elapsed.withLock { $0 }
    }

    public func millisecondsSinceEpoch() -> Int64 {
        let reading = elapsed.withLock { $0 }
        return wallOrigin &+ reading.saturatingNanoseconds / 1_000_000
    }
}

extension Duration {
    /// This duration in whole nanoseconds, saturating at the bounds of `Int64` (about ±292 years).
    ///
    /// The stores compute in integer nanoseconds, as the Redis scripts compute in integer milliseconds, so a
    /// boundary (a token due exactly now) never depends on floating-point rounding.
    var saturatingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowAgain { return seconds < 0 ? .min : .max }
        return total
    }
}

extension Int64 {
    /// `self + other`, clamped to the bounds of `Int64` instead of trapping.
    func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { return other < 0 ? .min : .max }
        return sum
    }
}
