import Logging

/// Where security events go: a log, a store behind an account-activity page, a SIEM.
///
/// Recording cannot throw: a sink that fails must never change an authentication decision, so a sink handles
/// (logs, drops) its own failures.
public protocol SecurityEventSink: Sendable {
    /// Records `event`.
    func record(_ event: SecurityEvent) async
}

/// A sink that drops every event; the default where no sink is configured.
public struct DiscardingEventSink: SecurityEventSink {
    /// A sink that drops every event.
    public init() {}

    public func record(_ event: SecurityEvent) async {}
}

/// Writes events through swift-log with structured metadata (`event.kind`, `event.account`, `event.source`,
/// `event.device`, `event.failures`, `event.retry_after_ms`, `event.store_failure`), so log pipelines can index
/// them without parsing a message.
///
/// Levels: ``SecurityEvent/Kind/storeUnavailable`` logs at `error`; locks and hard locks at `warning`;
/// everything else at `level` (default `info`).
public struct LoggingEventSink: SecurityEventSink {
    private let logger: Logger
    private let level: Logger.Level

    /// A sink writing to `logger`, routine events at `level`.
    public init(logger: Logger, level: Logger.Level = .info) {
        self.logger = logger
        self.level = level
    }

    public func record(_ event: SecurityEvent) async {
        var metadata: Logger.Metadata = [
            "event.kind": .string(event.kind.rawValue),
            "event.time_ms": .stringConvertible(event.millisecondsSinceEpoch),
        ]
        if let account = event.account { metadata["event.account"] = .string(account) }
        if let source = event.source { metadata["event.source"] = .string(source) }
        if let device = event.device { metadata["event.device"] = .string(device) }
        if let failures = event.failures { metadata["event.failures"] = .stringConvertible(failures) }
        if let retryAfter = event.retryAfter {
            metadata["event.retry_after_ms"] = .stringConvertible(retryAfter.saturatingNanoseconds / 1_000_000)
        }
        if let storeFailure = event.storeFailure { metadata["event.store_failure"] = .string(storeFailure) }
        logger.log(level: level(for: event.kind), "security event: \(event.kind.rawValue)", metadata: metadata)
    }

    private func level(for kind: SecurityEvent.Kind) -> Logger.Level {
        switch kind {
        case .storeUnavailable: .error
        case .locked, .hardLocked: .warning
        default: level
        }
    }
}

/// Sends every event to each of several sinks, in order.
public struct FanOutEventSink: SecurityEventSink {
    private let sinks: [any SecurityEventSink]

    /// A sink forwarding to `sinks`, in order.
    public init(_ sinks: [any SecurityEventSink]) {
        self.sinks = sinks
    }

    public func record(_ event: SecurityEvent) async {
        for sink in sinks { await sink.record(event) }
    }
}
