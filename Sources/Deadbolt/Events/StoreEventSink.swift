import Logging

/// Keeps each account's recent events in the ``StateStore`` (``StateStore/appendEvent(_:_:keepLast:ttl:)``) and
/// reads them back, newest first, for an account-activity page.
///
/// One list per account, at `deadbolt:{account}:events` (the account is the hash tag, like its lockout state).
/// Events without an account are not stored here (pair this sink with a ``LoggingEventSink`` in a
/// ``FanOutEventSink``). A store failure while recording is logged at `warning` and dropped.
public struct StoreEventSink: SecurityEventSink {
    /// The namespace of the per-account event lists.
    public static let namespace = "events"

    private let store: any StateStore
    private let keepLast: Int
    private let retention: Duration
    private let logger: Logger?

    /// A sink keeping the newest `keepLast` events per account (default 100; 1 to 1,000), each list kept for
    /// `retention` after its newest event (default 90 days; at most ``StateStoreBounds/maximumDurationDays``), logging its own failures to `logger`.
    ///
    /// - Throws: ``StateStoreError/invalidArgument(_:)`` when `keepLast` or `retention` is out of range.
    public init(
        store: any StateStore, keepLast: Int = 100, retention: Duration = .seconds(90 * 24 * 3600),
        logger: Logger? = nil
    ) throws {
        try StateStoreBounds.checkEventCount(keepLast, "keepLast", minimum: 1)
        try StateStoreBounds.checkTTL(retention, "retention")
        self.store = store
        self.keepLast = keepLast
        self.retention = retention
        self.logger = logger
    }

    public func record(_ event: SecurityEvent) async {
        guard let account = event.account else { return }
        do {
            let key = try StateKey(namespace: Self.namespace, identifier: account)
            try await store.appendEvent(key, SecurityEventEncoding.encode(event), keepLast: keepLast, ttl: retention)
        } catch {
            logger?.warning(
                "could not store a security event",
                metadata: ["event.kind": .string(event.kind.rawValue), "error": .string("\(error)")]
            )
        }
    }

    /// The newest `limit` (0 to 1,000) events stored for `account`, newest first. Entries that do not decode (a
    /// future format) are skipped.
    ///
    /// - Throws: ``StateStoreError`` when the account identifier is invalid, `limit` is out of range, or the store
    ///   cannot answer.
    public func recentEvents(account: String, limit: Int = 50) async throws -> [SecurityEvent] {
        let key = try StateKey(namespace: Self.namespace, identifier: account)
        return try await store.recentEvents(key, limit: limit).compactMap(SecurityEventEncoding.decode)
    }
}
