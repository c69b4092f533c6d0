import Logging
import PostgresNIO
import Synchronization

/// The pool of connections and the discipline every store operation follows: a deadline over the whole operation,
/// transactions that roll back on any error, serialization failures run again, and a connection whose state is in
/// doubt closed rather than handed to the next caller.
final class PostgresExecutor: Sendable {
    /// The isolation a transaction runs at.
    enum Isolation: Sendable {
        /// Every change set that must have one winner: PostgreSQL aborts all but one of the conflicting
        /// transactions (SQLSTATE 40001), and the executor runs the losers again, which then see the winner's
        /// changes and fail their preconditions.
        case serializable
        /// For statements that take their own row locks (`FOR UPDATE SKIP LOCKED` when claiming outbox messages),
        /// where serializable snapshots would only add conflicts.
        case readCommitted
    }

    let client: PostgresClient
    let configuration: PostgresConfiguration
    let logger: Logger
    private let started = Atomic<Bool>(false)

    init(configuration: PostgresConfiguration, logger: Logger) throws {
        let tls: PostgresClient.Configuration.TLS
        switch configuration.transportSecurity {
        case .disable:
            tls = .disable
        case .prefer:
            // libpq's `prefer`: encryption against a passive listener, no certificate check (an active attacker can
            // strip TLS anyway in this mode).
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            tls = .prefer(settings)
        case .verifyFull:
            tls = .require(TLSConfiguration.makeClientConfiguration())
        }
        var client = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: tls)
        client.options.connectTimeout = configuration.connectTimeout
        client.options.maximumConnections = configuration.maximumConnections
        let statementTimeout = Self.milliseconds(configuration.operationTimeout)
        client.options.additionalStartupParameters = [
            ("application_name", "deadbolt"),
            ("statement_timeout", String(statementTimeout)),
            ("idle_in_transaction_session_timeout", String(statementTimeout * 2)),
        ]
        self.client = PostgresClient(configuration: client, backgroundLogger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the pool until the calling task is cancelled (or, in a service group, until graceful shutdown).
    /// A second call returns at once: postgres-nio traps on a second `run()`.
    func run() async {
        guard started.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            logger.error("PostgresSignInStore.run() was called twice; the second call does nothing")
            return
        }
        await client.run()
    }

    /// Runs `body` on one pooled connection within ``PostgresConfiguration/operationTimeout``: the wait for the
    /// connection included. At the deadline the connection is closed (postgres-nio does not abandon a query when
    /// its task is cancelled, and a closed connection fails it at once), so the call never hangs on a server that
    /// stopped answering; throws ``PostgresFailure/unavailable(reason:)`` then and for every connection failure.
    func withConnection<Result: Sendable>(
        timeout: Duration? = nil,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let limit = timeout ?? configuration.operationTimeout
        let leased = LeasedConnection()
        let client = self.client
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        leased.set(connection)
                        defer { leased.set(nil) }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                guard let first = try await group.next(), let result = first else {
                    group.cancelAll()
                    await leased.close()
                    throw PostgresFailure.unavailable(reason: "no answer within \(limit)")
                }
                group.cancelAll()
                return result
            }
        } catch {
            throw PostgresFailure.databaseFailure(error) ?? error
        }
    }

    /// Runs `body` in one transaction at `isolation` on one pooled connection, within the operation timeout.
    /// Any error from `body` rolls the transaction back and is rethrown as it is (a precondition's own error, say);
    /// a serialization conflict or deadlock runs `body` again, at most
    /// ``PostgresConfiguration/serializationRetries`` times, after a short random pause.
    func transaction<Result: Sendable>(
        _ isolation: Isolation = .serializable,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let retries = configuration.serializationRetries
        let logger = self.logger
        return try await withConnection { connection in
            var attempt = 0
            while true {
                do {
                    switch isolation {
                    case .serializable: try await connection.query("BEGIN ISOLATION LEVEL SERIALIZABLE", logger: logger)
                    case .readCommitted: try await connection.query("BEGIN ISOLATION LEVEL READ COMMITTED", logger: logger)
                    }
                    let result = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    do {
                        // After a failed COMMIT or BEGIN there is no transaction: PostgreSQL answers ROLLBACK with a
                        // warning, not an error.
                        try await connection.query("ROLLBACK", logger: logger)
                    } catch {
                        // The connection's transaction state is unknown: it must not go back to the pool.
                        try? await connection.close()
                        throw PostgresFailure.databaseFailure(error) ?? error
                    }
                    guard PostgresFailure.databaseFailure(error) == .serializationConflict else { throw error }
                    guard attempt < retries else { throw PostgresFailure.serializationConflict }
                    attempt += 1
                    // 1 ms to 2^attempt ms, at most 64: the losers of one conflict spread out instead of colliding
                    // again at once.
                    try await Task.sleep(for: .microseconds(Int.random(in: 1000...(1000 << min(attempt, 6)))))
                }
            }
        }
    }

    /// Collects every row of `query` on `connection`.
    static func rows(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// The connection a ``PostgresExecutor/withConnection(timeout:_:)`` call holds, so the deadline can close it.
private final class LeasedConnection: Sendable {
    private let connection = Mutex<PostgresConnection?>(nil)

    func set(_ value: PostgresConnection?) {
        connection.withLock { $0 = value }
    }

    func close() async {
        guard let connection = connection.withLock({ $0 }) else { return }
        try? await connection.close()
    }
}
