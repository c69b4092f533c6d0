import DeadboltSignIn
import Logging
import PostgresNIO
import Testing

@testable import DeadboltPostgres

/// Versioned migrations: each step once, replicas starting together, shipped steps never edited.
@Suite("Postgres migrations")
struct PostgresMigrationTests {
    /// Runs `body` while the pools of `stores` run; shuts them down afterwards.
    static func running<Result: Sendable>(
        _ stores: [PostgresSignInStore], _ body: () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            for store in stores {
                group.addTask {
                    await store.run()
                    return nil
                }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    static func store(_ configuration: PostgresConfiguration) -> PostgresSignInStore {
        PostgresSignInStore(configuration: configuration, logger: PostgresTestEnvironment.logger)
    }

    @Test("a fresh database gets every step once; migrating again applies nothing")
    func freshThenCurrent() async throws {
        try await PostgresTestEnvironment.withStores { configuration, _ in
            let store = Self.store(configuration)
            try await Self.running([store]) { () async throws in
                let all = PostgresMigrations.all.map(\.version)
                #expect(try await store.migrate() == all)
                #expect(try await store.migrate() == [])
                #expect(try await store.account(emailKey: "nobody@example.com") == nil)
            }
        }
    }

    @Test("eight replicas migrating at once: the advisory lock lets one apply each step, the others apply none")
    func replicasTogether() async throws {
        try await PostgresTestEnvironment.withStores { configuration, _ in
            let stores = (0..<8).map { _ in Self.store(configuration) }
            let applied = try await Self.running(stores) {
                try await withThrowingTaskGroup(of: [Int].self) { group in
                    for store in stores { group.addTask { try await store.migrate() } }
                    return try await group.reduce(into: [[Int]]()) { $0.append($1) }
                }
            }
            #expect(applied.filter { !$0.isEmpty } == [PostgresMigrations.all.map(\.version)])
            #expect(applied.filter(\.isEmpty).count == 7)
            let reader = Self.store(configuration)
            try await Self.running([reader]) { () async throws in
                let recorded = try await reader.executor.withConnection { connection in
                    try await connection.query("SELECT count(*) FROM deadbolt_schema_migrations", logger: reader.executor.logger)
                        .collect().first?.decode(Int.self)
                }
                #expect(recorded == PostgresMigrations.all.count)
            }
        }
    }

    /// Migration records another build left: a shipped step edited since it ran, or a step this build does not know.
    @Test(
        "a recorded step whose statements changed since it ran, or one from a newer build, is refused",
        arguments: [
            (
                "UPDATE deadbolt_schema_migrations SET checksum = sha256('an older text') WHERE version = 1",
                PostgresMigrationError.changedAfterShipping(1)
            ),
            (
                "INSERT INTO deadbolt_schema_migrations (version, name, checksum) VALUES (999, 'future', sha256(''))",
                PostgresMigrationError.unknownVersion(999)
            ),
        ])
    func foreignRecordIsRefused(record: String, refusal: PostgresMigrationError) async throws {
        try await PostgresTestEnvironment.withStores { configuration, _ in
            let store = Self.store(configuration)
            try await Self.running([store]) { () async throws in
                try await store.migrate()
                _ = try await store.executor.withConnection { connection in
                    try await connection.query(PostgresQuery(unsafeSQL: record), logger: store.executor.logger)
                }
                await #expect(throws: refusal) { try await store.migrate() }
            }
        }
    }

    @Test("a failing step rolls back the whole run: no table, no record")
    func failingStepRollsBack() async throws {
        try await PostgresTestEnvironment.withStores { configuration, _ in
            let store = Self.store(configuration)
            let broken = PostgresMigration(
                version: 1, name: "broken", statements: ["CREATE TABLE half_done (id integer)", "SELECT no_such_function()"])
            try await Self.running([store]) { () async throws in
                await #expect(throws: SignInStoreError.self) {
                    try await store.storeErrors {
                        try await PostgresMigrator.migrate([broken], on: store.executor, timeout: .seconds(30))
                    }
                }
                let tables = try await store.executor.withConnection { connection in
                    try await connection.query(
                        """
                        SELECT count(*) FROM information_schema.tables
                        WHERE table_name IN ('half_done', 'deadbolt_schema_migrations')
                        """, logger: store.executor.logger
                    ).collect().first?.decode(Int.self)
                }
                #expect(tables == 0)
            }
        }
    }
}
