import Logging
import PostgresNIO

/// One versioned step of the schema. Once shipped, a step is never edited: the migrator records a SHA-256 of its
/// statements and refuses to run against a database whose record differs (a changed step would leave databases
/// that ran the old one silently different from new ones). Changes go in a new step.
struct PostgresMigration: Sendable {
    /// Increasing from 1, with no gaps.
    let version: Int
    /// What the step does, for the migrations table and the logs.
    let name: String
    /// The statements, run in order in the migration's transaction (the extended query protocol takes one
    /// statement at a time).
    let statements: [String]

    /// The text the checksum covers.
    var checksummedText: String { statements.joined(separator: ";\n") }
}

/// Brings a database's schema up to date: each step of ``PostgresMigrations/all`` once, in order.
///
/// The whole run is one transaction that first takes a transaction-level advisory lock, so replicas starting
/// together queue behind one another: the first applies the missing steps, the others then find them recorded and
/// apply nothing. A failing step rolls every step of the run back (PostgreSQL's DDL is transactional).
enum PostgresMigrator {
    /// The advisory lock key: "deadbolt" in ASCII, as a big-endian 64-bit integer.
    static let advisoryLockKey: Int64 = 0x6465_6164_626F_6C74

    /// Applies the missing steps of `migrations`; returns the versions it applied (empty when the schema was
    /// current). Throws ``PostgresMigrationError`` for a recorded step whose checksum differs from the shipped one,
    /// or one this build does not know (a newer build migrated this database: run that build), and
    /// ``PostgresFailure`` when the database fails.
    static func migrate(
        _ migrations: [PostgresMigration], on executor: PostgresExecutor, timeout: Duration
    ) async throws -> [Int] {
        let logger = executor.logger
        let applied = try await executor.withConnection(timeout: timeout) { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let applied = try await apply(migrations, on: connection, timeout: timeout, logger: logger)
                try await connection.query("COMMIT", logger: logger)
                return applied
            } catch {
                do {
                    try await connection.query("ROLLBACK", logger: logger)
                } catch {
                    try? await connection.close()
                }
                throw error
            }
        }
        for version in applied {
            logger.info("applied schema migration", metadata: ["version": "\(version)"])
        }
        return applied
    }

    private static func apply(
        _ migrations: [PostgresMigration], on connection: PostgresConnection, timeout: Duration, logger: Logger
    ) async throws -> [Int] {
        // The session's statement_timeout is the store's operation timeout; a migration (and the wait for another
        // replica's) may take longer.
        let milliseconds = PostgresExecutor.milliseconds(timeout)
        try await connection.query("SELECT set_config('statement_timeout', \(String(milliseconds)), true)", logger: logger)
        try await connection.query("SELECT pg_advisory_xact_lock(\(advisoryLockKey))", logger: logger)
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS deadbolt_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum bytea NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var recorded: Set<Int> = []
        var applied: [Int] = []
        let known = Set(migrations.map(\.version))
        for row in try await connection.query("SELECT version FROM deadbolt_schema_migrations", logger: logger).collect() {
            let version = try row.decode(Int.self)
            guard known.contains(version) else { throw PostgresMigrationError.unknownVersion(version) }
            recorded.insert(version)
        }
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            if recorded.contains(migration.version) {
                let same = try await connection.query(
                    """
                    SELECT checksum = sha256(convert_to(\(migration.checksummedText), 'UTF8'))
                    FROM deadbolt_schema_migrations WHERE version = \(migration.version)
                    """, logger: logger
                ).collect()
                guard let row = same.first, try row.decode(Bool.self) else {
                    throw PostgresMigrationError.changedAfterShipping(migration.version)
                }
                continue
            }
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO deadbolt_schema_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), sha256(convert_to(\(migration.checksummedText), 'UTF8')))
                """, logger: logger)
            applied.append(migration.version)
        }
        return applied
    }
}

/// A schema the migrator will not touch.
public enum PostgresMigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database records step `version` with other statements than this build ships: a shipped step was edited.
    case changedAfterShipping(Int)
    /// The database records step `version`, which this build does not have: a newer build migrated it.
    case unknownVersion(Int)

    public var description: String {
        switch self {
        case .changedAfterShipping(let version):
            "schema migration \(version) differs from the one this database ran: shipped steps are never edited"
        case .unknownVersion(let version):
            "this database has schema migration \(version), which this build does not know: run a newer build"
        }
    }
}
