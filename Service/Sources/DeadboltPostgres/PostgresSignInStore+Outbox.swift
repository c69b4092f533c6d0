import DeadboltSignIn
import PostgresNIO

/// The delivery workers' operations and the purge.
extension PostgresSignInStore {
    /// The longest worker name, in UTF-8 bytes.
    static var maximumWorkerLength: Int { SignInStoreBounds.maximumTextLength }

    public func claimMessages(worker: String, now: Timestamp, lease: Duration, limit: Int) async throws -> [OutboxMessage] {
        guard (1...SignInStoreBounds.maximumClaim).contains(limit) else {
            throw SignInStoreError.invalid("a claim takes 1 to \(SignInStoreBounds.maximumClaim) messages")
        }
        try Self.checkWorker(worker)
        guard lease > .zero else { throw SignInStoreError.invalid("a lease must be positive") }
        let now = now.millisecondsSinceEpoch
        let leaseEnd = Timestamp(millisecondsSinceEpoch: now).adding(lease).millisecondsSinceEpoch
        let logger = executor.logger
        // READ COMMITTED with SKIP LOCKED: a second worker's claim passes over the rows the first one has locked
        // instead of waiting for them (or, at SERIALIZABLE, failing on them), and when it meets a row the first
        // has just committed, PostgreSQL re-checks the row's new version against the WHERE clause, which its
        // lease now fails. So two workers never hold one message.
        let claimed = try await storeErrors {
            try await executor.transaction(.readCommitted) { connection in
                try await PostgresExecutor.rows(
                    """
                    UPDATE outbox_messages SET lease_owner = \(worker), lease_expires_at = \(leaseEnd),
                        attempts = attempts + 1
                    WHERE id IN (
                        SELECT id FROM outbox_messages
                        WHERE status = 'pending' AND not_before <= \(now)
                          AND (expires_at IS NULL OR expires_at > \(now))
                          AND (lease_expires_at IS NULL OR lease_expires_at <= \(now))
                        ORDER BY not_before, id
                        LIMIT \(limit)
                        FOR UPDATE SKIP LOCKED)
                    RETURNING \(unescaped: PostgresColumns.message)
                    """, on: connection, logger: logger
                ).records { try $0.message() }
            }
        }
        // RETURNING follows no order.
        return claimed.sorted { ($0.notBefore, $0.id.rawValue) < ($1.notBefore, $1.id.rawValue) }
    }

    public func markSent(_ id: MessageID, worker: String, now: Timestamp) async throws -> Bool {
        try Self.checkWorker(worker)
        return try await changedOne(
            """
            UPDATE outbox_messages SET status = 'sent', sent_at = \(now.millisecondsSinceEpoch),
                lease_owner = NULL, lease_expires_at = NULL,
                body = CASE WHEN carries_code THEN '' ELSE body END
            WHERE id = \(id.rawValue) AND lease_owner = \(worker) AND status = 'pending'
            RETURNING 1
            """)
    }

    public func reschedule(
        _ id: MessageID, worker: String, notBefore: Timestamp, error: String, giveUp: Bool
    ) async throws -> Bool {
        try Self.checkWorker(worker)
        try PostgresChangeBounds.bound(error, SignInStoreBounds.maximumTextLength, "error text")
        return try await changedOne(
            """
            UPDATE outbox_messages SET status = \(giveUp ? MessageStatus.failed.rawValue : MessageStatus.pending.rawValue),
                not_before = \(notBefore.millisecondsSinceEpoch), last_error = \(error),
                lease_owner = NULL, lease_expires_at = NULL,
                body = CASE WHEN \(giveUp) AND carries_code THEN '' ELSE body END
            WHERE id = \(id.rawValue) AND lease_owner = \(worker) AND status = 'pending'
            RETURNING 1
            """)
    }

    public func expireMessages(now: Timestamp) async throws -> Int {
        try await count(
            """
            UPDATE outbox_messages SET status = 'failed', body = '', lease_owner = NULL, lease_expires_at = NULL
            WHERE status = 'pending' AND expires_at <= \(now.millisecondsSinceEpoch)
            RETURNING 1
            """)
    }

    public func purge(
        now: Timestamp, idleBefore: Timestamp, activityBefore: Timestamp, messagesBefore: Timestamp
    ) async throws -> PurgeCounts {
        let logger = executor.logger
        let now = now.millisecondsSinceEpoch
        return try await storeErrors {
            try await executor.transaction(.readCommitted) { connection in
                func count(_ query: PostgresQuery) async throws -> Int {
                    try await PostgresExecutor.rows(query, on: connection, logger: logger).count
                }
                return PurgeCounts(
                    steps: try await count("DELETE FROM steps WHERE expires_at < \(now) RETURNING 1"),
                    sessions: try await count(
                        """
                        DELETE FROM sessions
                        WHERE expires_at < \(now) OR last_seen_at < \(idleBefore.millisecondsSinceEpoch) RETURNING 1
                        """),
                    devices: try await count("DELETE FROM remembered_devices WHERE expires_at < \(now) RETURNING 1"),
                    activity: try await count(
                        "DELETE FROM activity WHERE at < \(activityBefore.millisecondsSinceEpoch) RETURNING 1"),
                    messages: try await count(
                        """
                        DELETE FROM outbox_messages
                        WHERE status <> 'pending' AND created_at < \(messagesBefore.millisecondsSinceEpoch) RETURNING 1
                        """))
            }
        }
    }

    /// Runs one statement in its own transaction and answers whether it changed exactly one row.
    private func changedOne(_ query: PostgresQuery) async throws -> Bool {
        try await count(query) == 1
    }

    /// Runs one statement in its own transaction and counts the rows it returned. READ COMMITTED whatever the
    /// database's default: each of these writes is decided by the lock on its one row.
    private func count(_ query: PostgresQuery) async throws -> Int {
        let logger = executor.logger
        return try await storeErrors {
            try await executor.transaction(.readCommitted) { connection in
                try await PostgresExecutor.rows(query, on: connection, logger: logger).count
            }
        }
    }

    private static func checkWorker(_ worker: String) throws {
        guard !worker.isEmpty else { throw SignInStoreError.invalid("a worker name is 1 to \(maximumWorkerLength) bytes") }
        try PostgresChangeBounds.bound(worker, maximumWorkerLength, "worker name")
    }
}
