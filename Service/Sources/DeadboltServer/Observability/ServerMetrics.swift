import CoreMetrics
import Deadbolt
import Prometheus

/// The server's metrics, recorded through swift-metrics into a Prometheus registry of this server's own (no global
/// bootstrap, so several servers can run in one test process) and served at `/metrics` in Prometheus's text format.
///
/// Labels are fixed small sets (outcomes, channels, statuses), never an account, an address or anything a request
/// supplies, so the series stay bounded.
public final class ServerMetrics: Sendable {
    /// The registry `/metrics` reads.
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let pool: HashingPool
    private let poolWaiting: CoreMetrics.Gauge
    private let poolRunning: CoreMetrics.Gauge
    private let poolBytes: CoreMetrics.Gauge
    private let locks: CoreMetrics.Counter
    private let limited: CoreMetrics.Counter
    private let hashSeconds: CoreMetrics.Timer

    /// Sign-in outcomes counted in `deadbolt_sign_ins_total{outcome}`.
    public enum SignInOutcome: String, Sendable, CaseIterable {
        case succeeded
        case wrongPassword = "wrong_password"
        case wrongPIN = "wrong_pin"
        case wrongSecondFactor = "wrong_second_factor"
        case locked, overloaded, unavailable
    }

    /// Metrics for a server whose hashes run on `pool`.
    public init(pool: HashingPool) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Argon2 at OWASP's 19 MiB takes about 12 ms on this kind of machine (docs/performance.md); the buckets
        // cover a quiet pool through one that queues for its whole admission timeout.
        factory.durationHistogramBuckets["deadbolt_hash_step_seconds"] = [
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        ]
        self.factory = factory
        self.pool = pool
        poolWaiting = CoreMetrics.Gauge(label: "deadbolt_hashing_pool_waiting", factory: factory)
        poolRunning = CoreMetrics.Gauge(label: "deadbolt_hashing_pool_running", factory: factory)
        poolBytes = CoreMetrics.Gauge(label: "deadbolt_hashing_pool_bytes_in_use", factory: factory)
        locks = CoreMetrics.Counter(label: "deadbolt_locks_total", factory: factory)
        limited = CoreMetrics.Counter(label: "deadbolt_rate_limited_total", factory: factory)
        hashSeconds = CoreMetrics.Timer(label: "deadbolt_hash_step_seconds", factory: factory)
        for outcome in SignInOutcome.allCases { _ = signIns(outcome) }
    }

    private func signIns(_ outcome: SignInOutcome) -> CoreMetrics.Counter {
        CoreMetrics.Counter(
            label: "deadbolt_sign_ins_total", dimensions: [("outcome", outcome.rawValue)], factory: factory)
    }

    /// Counts one sign-in attempt's outcome.
    public func signIn(_ outcome: SignInOutcome) { signIns(outcome).increment() }
    /// Counts one lock of an account.
    public func locked() { locks.increment() }
    /// Counts one request refused by a per-address limit.
    public func rateLimited() { limited.increment() }
    /// Counts one code sent on `channel` (`email`, `sms`).
    public func codeSent(channel: String) {
        CoreMetrics.Counter(label: "deadbolt_codes_sent_total", dimensions: [("channel", channel)], factory: factory)
            .increment()
    }
    /// Records how long a step that hashes (a password, a PIN) took, queueing for the pool included.
    public func hashStep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        hashSeconds.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
    /// Counts one response by status class (`2xx` … `5xx`) and the 503s apart.
    public func response(status: Int) {
        let statusClass = "\(status / 100)xx"
        CoreMetrics.Counter(
            label: "deadbolt_http_responses_total", dimensions: [("class", statusClass)], factory: factory
        ).increment()
    }

    /// The text exposition, with the pool's gauges read now.
    public func exposition() -> [UInt8] {
        let usage = pool.usage
        poolWaiting.record(usage.waiting)
        poolRunning.record(usage.running)
        poolBytes.record(usage.bytesInUse)
        return registry.emitToBuffer()
    }
}
