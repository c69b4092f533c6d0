import DeadboltSignIn
import Foundation
import GRDB

/// The sign-in system's database on SQLite, through GRDB: the embedded default (a file, nothing to install).
///
/// A file opens as a GRDB `DatabasePool` in WAL mode (readers never wait for the writer); `:memory:` as a
/// `DatabaseQueue` (tests). Foreign keys are on; the schema is migrated on open (``SQLiteSchema``, one versioned
/// step each). Every change set is one `BEGIN IMMEDIATE` transaction: SQLite's single writer applies racing sets
/// one after the other, so of two that consume one step token the second finds it consumed. Every statement is
/// parameterized.
public final class SQLiteSignInStore: SignInStore {
    /// The path given, or `:memory:`.
    public let path: String
    private let writer: any DatabaseWriter
    private let faultInjector: StoreFaultInjector?

    /// Opens (creating and migrating if needed) the database at `path`, or an in-memory one for `:memory:`.
    /// - Parameters:
    ///   - faultInjector: a test hook that fails a change set mid-way (``DeadboltSignIn/StoreFaultInjector``); none in production.
    ///   - busyTimeout: how long a write waits for another process holding the database.
    /// - Throws: ``DeadboltSignIn/SignInStoreError/unavailable(_:)`` when the file cannot be opened or migrated.
    public init(path: String, faultInjector: StoreFaultInjector? = nil, busyTimeout: Duration = .seconds(5)) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(TimeInterval(busyTimeout.components.seconds))
        configuration.label = "deadbolt.sign-in"
        do {
            if path == ":memory:" {
                writer = try DatabaseQueue(configuration: configuration)
            } else {
                writer = try DatabasePool(path: path, configuration: configuration)
            }
            try SQLiteSchema.migrator.migrate(writer)
        } catch {
            throw SignInStoreError.unavailable("could not open the SQLite database: \(Self.reason(error))")
        }
        self.path = path
        self.faultInjector = faultInjector
    }

    // MARK: Reads

    public func account(id: AccountID) async throws -> AccountRecord? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM account WHERE id = ?", arguments: [id.rawValue]).map(Decode.account) }
    }

    public func account(emailKey: String) async throws -> AccountRecord? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM account WHERE email_key = ?", arguments: [emailKey]).map(Decode.account) }
    }

    public func step(digest: TokenDigest) async throws -> StepRecord? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM step WHERE digest = ?", arguments: [digest.blob]).map(Decode.step) }
    }

    public func session(tokenDigest: TokenDigest) async throws -> SessionRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM session WHERE token_digest = ?", arguments: [tokenDigest.blob]).map(Decode.session)
        }
    }

    public func sessions(account: AccountID) async throws -> [SessionRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM session WHERE account_id = ? ORDER BY created_at DESC, id DESC", arguments: [account.rawValue])
                .map(Decode.session)
        }
    }

    public func rememberedDevice(tokenDigest: TokenDigest) async throws -> RememberedDeviceRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM remembered_device WHERE token_digest = ?", arguments: [tokenDigest.blob]).map(Decode.device)
        }
    }

    public func rememberedDevices(account: AccountID) async throws -> [RememberedDeviceRecord] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM remembered_device WHERE account_id = ? ORDER BY created_at DESC, id DESC", arguments: [account.rawValue]
            ).map(Decode.device)
        }
    }

    public func knownNetwork(account: AccountID, network: NetworkPrefix) async throws -> KnownNetworkRecord? {
        try await read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM known_network WHERE account_id = ? AND network = ?", arguments: [account.rawValue, network.text])
            else { return nil }
            let r = RowReader(row: row)
            return KnownNetworkRecord(
                account: account, network: network, firstSeenAt: try r.time("first_seen_at"), lastSeenAt: try r.time("last_seen_at"))
        }
    }

    public func authenticators(account: AccountID) async throws -> [AuthenticatorRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM authenticator WHERE account_id = ? ORDER BY created_at, id", arguments: [account.rawValue])
                .map(Decode.authenticator)
        }
    }

    public func recoveryCodeDigests(account: AccountID) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT digest FROM recovery_code WHERE account_id = ? ORDER BY digest", arguments: [account.rawValue])
        }
    }

    public func identityProofing(account: AccountID) async throws -> IdentityProofingRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM identity_proofing WHERE account_id = ?", arguments: [account.rawValue]).map(Decode.proofing)
        }
    }

    public func activity(account: AccountID, after cursor: ActivityCursor?, limit: Int) async throws -> ActivityPage {
        try SignInStoreBounds.checkLimit(limit, maximum: SignInStoreBounds.maximumActivityPage)
        return try await read { db in
            let rows: [Row]
            if let cursor {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM activity WHERE account_id = ? AND (at < ? OR (at = ? AND id < ?))
                        ORDER BY at DESC, id DESC LIMIT ?
                        """,
                    arguments: [account.rawValue, cursor.at.sql, cursor.at.sql, cursor.id.rawValue, limit + 1])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM activity WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?",
                    arguments: [account.rawValue, limit + 1])
            }
            let entries = try rows.prefix(limit).map(Decode.activity)
            let next = rows.count > limit ? entries.last.map { ActivityCursor(at: $0.at, id: $0.id) } : nil
            return ActivityPage(entries: entries, next: next)
        }
    }

    public func message(id: MessageID) async throws -> OutboxMessage? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id.rawValue]).map(Decode.message) }
    }

    // MARK: Writes

    public func apply(_ changes: ChangeSet) async throws {
        try SignInStoreBounds.check(changes)
        let injector = faultInjector
        try await write { db in
            try injector?.checkpoint(appliedChanges: 0)
            for (index, change) in changes.changes.enumerated() {
                if let conflict = try SQLiteChanges.apply(change, db) {
                    throw SignInStoreError.conflict(index: index, reason: conflict)
                }
                try injector?.checkpoint(appliedChanges: index + 1)
            }
        }
    }

    // MARK: Outbox

    public func claimMessages(worker: String, now: Timestamp, lease: Duration, limit: Int) async throws -> [OutboxMessage] {
        try SignInStoreBounds.checkLimit(limit, maximum: SignInStoreBounds.maximumClaim)
        try Self.checkWorker(worker)
        let leaseEnd = now.adding(lease)
        return try await write { db in
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM outbox
                    WHERE status = 'pending' AND not_before <= ? AND (expires_at IS NULL OR expires_at > ?)
                      AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
                    ORDER BY not_before, id LIMIT ?
                    """,
                arguments: [now.sql, now.sql, now.sql, limit])
            var claimed: [OutboxMessage] = []
            for id in ids {
                try db.execute(
                    sql: "UPDATE outbox SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1 WHERE id = ?",
                    arguments: [worker, leaseEnd.sql, id])
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]) {
                    claimed.append(try Decode.message(row))
                }
            }
            return claimed
        }
    }

    public func markSent(_ id: MessageID, worker: String, now: Timestamp) async throws -> Bool {
        try Self.checkWorker(worker)
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET status = 'sent', sent_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                        body = CASE WHEN carries_code THEN '' ELSE body END
                    WHERE id = ? AND lease_owner = ? AND status = 'pending'
                    """,
                arguments: [now.sql, id.rawValue, worker])
            return db.changesCount == 1
        }
    }

    public func reschedule(_ id: MessageID, worker: String, notBefore: Timestamp, error: String, giveUp: Bool) async throws -> Bool {
        try Self.checkWorker(worker)
        guard error.utf8.count <= SignInStoreBounds.maximumTextLength else { throw SignInStoreError.invalid("the error text is too long") }
        return try await write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET status = ?, not_before = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL,
                        body = CASE WHEN ? AND carries_code THEN '' ELSE body END
                    WHERE id = ? AND lease_owner = ? AND status = 'pending'
                    """,
                arguments: [giveUp ? MessageStatus.failed.rawValue : MessageStatus.pending.rawValue, notBefore.sql, error, giveUp, id.rawValue, worker])
            return db.changesCount == 1
        }
    }

    public func expireMessages(now: Timestamp) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET status = 'failed', body = '', lease_owner = NULL, lease_expires_at = NULL
                    WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?
                    """,
                arguments: [now.sql])
            return db.changesCount
        }
    }

    // MARK: Purge

    public func purge(now: Timestamp, idleBefore: Timestamp, activityBefore: Timestamp, messagesBefore: Timestamp) async throws -> PurgeCounts {
        try await write { db in
            var counts = PurgeCounts()
            try db.execute(sql: "DELETE FROM step WHERE expires_at < ?", arguments: [now.sql])
            counts.steps = db.changesCount
            try db.execute(sql: "DELETE FROM session WHERE expires_at < ? OR last_seen_at < ?", arguments: [now.sql, idleBefore.sql])
            counts.sessions = db.changesCount
            try db.execute(sql: "DELETE FROM remembered_device WHERE expires_at < ?", arguments: [now.sql])
            counts.devices = db.changesCount
            try db.execute(sql: "DELETE FROM activity WHERE at < ?", arguments: [activityBefore.sql])
            counts.activity = db.changesCount
            try db.execute(sql: "DELETE FROM outbox WHERE status <> 'pending' AND created_at < ?", arguments: [messagesBefore.sql])
            counts.messages = db.changesCount
            return counts
        }
    }

    // MARK: Helpers

    /// A pragma's value (`journal_mode`, `foreign_keys`), for tests. `name` is one of this store's own constants.
    func pragma(_ name: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as SignInStoreError {
            throw error
        } catch {
            throw SignInStoreError.unavailable(Self.reason(error))
        }
    }

    /// One immediate transaction (the write lock taken at `BEGIN`, so two processes on one file never both read
    /// then both write); everything rolls back when `body` throws.
    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw SignInStoreError.unavailable("the transaction returned nothing") }
                return result
            }
        } catch let error as SignInStoreError {
            throw error
        } catch {
            throw SignInStoreError.unavailable(Self.reason(error))
        }
    }

    private static func checkWorker(_ worker: String) throws {
        guard (1...SignInStoreBounds.maximumTextLength).contains(worker.utf8.count) else {
            throw SignInStoreError.invalid("the worker name must be 1 to \(SignInStoreBounds.maximumTextLength) bytes")
        }
    }

    /// A driver error's code and kind, never the statement's arguments.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return "SQLite error \(error.resultCode.rawValue)" }
        return "\(type(of: error))"
    }
}
