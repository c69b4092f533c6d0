import DeadboltSignIn
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The sign-in system's ``DeadboltSignIn/SignInStore`` on PostgreSQL, through postgres-nio's connection pool:
/// what many replicas of the service share.
///
/// - **Running.** The pool needs a long-running task. In a server, add the store to the `ServiceGroup`
///   (swift-service-lifecycle) beside the HTTP server: ``run()`` drives the pool until graceful shutdown. Embedders
///   and tests that have no service group call ``start(configuration:logger:faultInjector:)``, which runs the pool
///   in a task the store owns, and ``shutdown()`` at the end. Either way, ``migrate()`` brings the schema up to date
///   before the first request (``start(configuration:logger:faultInjector:)`` does it itself).
/// - **Queries.** Every statement is constant SQL with `$n` placeholders; values travel as bind parameters of
///   PostgreSQL's extended query protocol (postgres-nio's `PostgresQuery` interpolation), never inside the SQL text.
/// - **One winner.** Every change set runs in one `SERIALIZABLE` transaction, retried when PostgreSQL aborts it
///   for a serialization conflict, and every precondition is a conditional write (`UPDATE … WHERE … RETURNING`,
///   an `INSERT` a unique index may refuse). Of two replicas consuming one step token, one commits and the
///   other's retry finds the token consumed and fails with ``DeadboltSignIn/ChangeConflict/stepUnavailable``.
///   Outbox claims take `FOR UPDATE SKIP LOCKED` at `READ COMMITTED`.
/// - **Failures.** A server that is down, refuses connections or does not answer within
///   ``PostgresConfiguration/operationTimeout`` is ``DeadboltSignIn/SignInStoreError/unavailable(_:)`` (the
///   service answers 503), never a crash or a hang; the pool reconnects by itself when the server is back.
public final class PostgresSignInStore: SignInStore, Service {
    let executor: PostgresExecutor
    let faultInjector: StoreFaultInjector?
    private let ownedRun = Mutex<Task<Void, Never>?>(nil)

    /// A store over `configuration`'s database. Nothing connects until ``run()`` runs.
    /// - Parameters:
    ///   - faultInjector: the conformance suite's hook that fails a change set midway; production passes `nil`.
    public init(configuration: PostgresConfiguration, logger: Logger, faultInjector: StoreFaultInjector? = nil) throws {
        executor = try PostgresExecutor(configuration: configuration, logger: logger)
        self.faultInjector = faultInjector
    }

    /// A store whose pool runs in a task of its own, with the schema migrated: for embedders and tests without a
    /// service group. Call ``shutdown()`` when done.
    /// - Throws: ``DeadboltSignIn/SignInStoreError/unavailable(_:)`` when the database cannot be reached within
    ///   ``PostgresConfiguration/migrationTimeout``; ``PostgresMigrationError`` for a schema this build will not touch.
    public static func start(
        configuration: PostgresConfiguration, logger: Logger, faultInjector: StoreFaultInjector? = nil
    ) async throws -> PostgresSignInStore {
        let store = try PostgresSignInStore(configuration: configuration, logger: logger, faultInjector: faultInjector)
        store.ownedRun.withLock { task in
            task = Task { await store.run() }
        }
        do {
            try await store.migrate()
        } catch {
            await store.shutdown()
            throw error
        }
        return store
    }

    /// Runs the connection pool until the calling task is cancelled or, in a `ServiceGroup`, until graceful
    /// shutdown; then closes every connection. Calls made while it is not running wait for it until their
    /// operation timeout, then fail as unavailable. A second concurrent call returns at once.
    public func run() async {
        await executor.run()
    }

    /// Stops the pool that ``start(configuration:logger:faultInjector:)`` runs and waits until it has closed its
    /// connections. Does nothing for a store run by a service group.
    public func shutdown() async {
        guard let task = ownedRun.withLock({ task in defer { task = nil }; return task }) else { return }
        task.cancel()
        await task.value
    }

    /// Applies the schema steps this database has not run yet, under an advisory lock so that replicas starting
    /// together apply each step once. Returns the versions applied.
    /// - Throws: ``PostgresMigrationError`` for a database migrated by a newer build or a shipped step edited
    ///   since; ``DeadboltSignIn/SignInStoreError/unavailable(_:)`` when the database fails.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await storeErrors {
            try await PostgresMigrator.migrate(
                PostgresMigrations.all, on: executor, timeout: executor.configuration.migrationTimeout)
        }
    }

    /// Runs `body`, turning database failures into ``DeadboltSignIn/SignInStoreError``; other errors (the store's
    /// own, a precondition's conflict) pass unchanged.
    func storeErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PostgresFailure {
            throw error.storeError
        } catch let error as PostgresDecodingError {
            // Never the cell's bytes: only which column type did not decode.
            throw SignInStoreError.corrupt("a column did not decode (\(error.code))")
        }
    }
}

extension PostgresFailure {
    /// What the flows see.
    var storeError: SignInStoreError {
        switch self {
        case .unavailable(let reason): .unavailable(reason)
        case .serializationConflict:
            .unavailable("gave up after repeated serialization conflicts with concurrent transactions")
        case .constraintViolated, .server: .unavailable(description)
        }
    }
}
