import Deadbolt
import Foundation
import Logging
import DeadboltSignIn
import PostgresNIO
import Synchronization
import Testing

@testable import DeadboltPostgres

/// The PostgreSQL server the tests use: `DEADBOLT_TEST_POSTGRES_URL` (scripts/postgres-test-server start prints
/// it; scripts/test exports it). Every test gets a database of its own, with a random name, dropped afterwards,
/// so parallel tests, repeated runs and other checkouts on the same server never see each other's rows.
///
/// Without the variable the PostgreSQL tests return early with a note, so `swift test` passes on a machine without
/// PostgreSQL; with `DEADBOLT_REQUIRE_POSTGRES=1` (scripts/test, CI) a missing server is a failure instead.
enum PostgresTestEnvironment {
    static let urlVariable = "DEADBOLT_TEST_POSTGRES_URL"

    /// Warnings and errors only: the fault tests make postgres-nio log every failed reconnection at info.
    static let logger: Logger = {
        var logger = Logger(label: "deadbolt.postgres.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The server's URL, or `nil` after a note (or a recorded failure when the server is required).
    static func serverURL() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment[urlVariable], !url.isEmpty { return url }
        if environment["DEADBOLT_REQUIRE_POSTGRES"] == "1" {
            Issue.record("\(urlVariable) is not set, and DEADBOLT_REQUIRE_POSTGRES=1")
        } else {
            print("note: \(urlVariable) is not set; run scripts/postgres-test-server start and export it. Skipped.")
        }
        return nil
    }

    /// Generous limits for tests sharing two loaded cores with CPU-heavy suites: correctness is under test here.
    static func configuration(url: String, database: String) throws -> PostgresConfiguration {
        var configuration = try PostgresConfiguration(url: url)
        configuration.database = database
        configuration.operationTimeout = .seconds(20)
        configuration.connectTimeout = .seconds(5)
        configuration.maximumConnections = 8
        return configuration
    }

    /// An account record for `email`, identity unverified, created at time 0.
    static func account(_ email: String) throws -> AccountRecord {
        AccountRecord(
            id: try AccountID.random(), email: try EmailAddress(email), state: .identityUnverified,
            passwordHash: "$argon2id$test", pinHash: nil, credentialVersion: 1, sealedPhone: nil, phoneLastFour: nil,
            devicesRevokedAt: nil, createdAt: Timestamp(millisecondsSinceEpoch: 0), credentialsChangedAt: nil)
    }

    /// A fresh database on the server at `url` for the length of `body`, dropped afterwards however `body` ends.
    static func withDatabase<Result>(
        url: String, _ body: (_ name: String) async throws -> Result
    ) async throws -> Result {
        let name = "deadbolt_test_" + Hex.encode(try SecureRandom.bytes(count: 8))
        try await administer(url: url, "CREATE DATABASE \(name)")
        do {
            let result = try await body(name)
            try await administer(url: url, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await administer(url: url, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Runs one statement on the URL's own database through a connection of its own. `statement` is built only
    /// from constants and the random names above: identifiers cannot be bind parameters.
    static func administer(url: String, _ statement: String) async throws {
        let configuration = try PostgresConfiguration(url: url)
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: configuration.host, port: configuration.port, username: configuration.username,
                password: configuration.password, database: configuration.database, tls: .disable),
            id: 1, logger: PostgresTestEnvironment.logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: PostgresTestEnvironment.logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// Stores started by a test, shut down by it at the end whatever happens.
final class PostgresStores: Sendable {
    private let started = Mutex<[PostgresSignInStore]>([])

    /// Starts a store (pool running, schema migrated) on `configuration` and keeps it for ``shutdownAll()``.
    func start(_ configuration: PostgresConfiguration, faultInjector: StoreFaultInjector? = nil) async throws -> PostgresSignInStore {
        let store = try await PostgresSignInStore.start(
            configuration: configuration, logger: PostgresTestEnvironment.logger, faultInjector: faultInjector)
        started.withLock { $0.append(store) }
        return store
    }

    func shutdownAll() async {
        for store in started.withLock({ stores in defer { stores = [] }; return stores }) {
            await store.shutdown()
        }
    }
}

extension PostgresTestEnvironment {
    /// Runs `body` with a fresh database and a ``PostgresStores`` whose stores are shut down (before the database
    /// is dropped) however `body` ends. Returns early, with a note, when there is no server.
    static func withStores(_ body: (_ configuration: PostgresConfiguration, _ stores: PostgresStores) async throws -> Void) async throws {
        guard let url = serverURL() else { return }
        try await withDatabase(url: url) { database in
            let stores = PostgresStores()
            do {
                try await body(try configuration(url: url, database: database), stores)
                await stores.shutdownAll()
            } catch {
                await stores.shutdownAll()
                throw error
            }
        }
    }
}
