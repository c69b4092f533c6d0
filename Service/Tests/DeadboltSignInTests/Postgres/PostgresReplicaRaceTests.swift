import Deadbolt
import DeadboltPostgres
import DeadboltRedis
import Foundation
import Testing

@testable import DeadboltSignIn

/// Issue 10's two-replica races on what replicas really share: two sign-in systems, each with its own PostgreSQL
/// pool and its own Redis connections, over one PostgreSQL database and the shared test Redis (127.0.0.1:6390).
/// Runs when both servers are there; required with DEADBOLT_REQUIRE_POSTGRES=1 and DEADBOLT_REQUIRE_REDIS=1.
@Suite("Postgres and Redis replica races", .serialized)
struct PostgresReplicaRaceTests {
    /// Two replicas on `configuration`'s database and two Redis state stores, for the length of `body`.
    static func withReplicas(
        _ configuration: PostgresConfiguration, _ stores: PostgresStores, _ body: (Harness, Harness) async throws -> Void
    ) async throws {
        guard let firstRedis = try await ConcurrencyTests.redis() else { return }
        defer { firstRedis.shutdown() }
        guard let secondRedis = try await ConcurrencyTests.redis() else { return }
        defer { secondRedis.shutdown() }
        // One wall clock for both, as replicas on synchronized hosts; limits and locks use Redis's own clock.
        let clock = ManualClock(wallOrigin: Int64(Date().timeIntervalSince1970 * 1000))
        let first = try await Harness(clock: clock, store: try await stores.start(configuration), stateStore: firstRedis)
        let second = try await Harness(clock: clock, store: try await stores.start(configuration), stateStore: secondRedis)
        try await body(first, second)
    }

    /// A unique email per run: the shared Redis keeps per-email budgets between runs.
    static func email(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.com" }

    @Test("one PIN step token submitted by two replicas at once: one session, the others a typed error")
    func oneStepTokenOneWinner() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            try await Self.withReplicas(configuration, stores) { first, second in
                try await ConcurrencyTests.oneWinnerPerStepToken(first, second)
            }
        }
    }

    @Test("parallel wrong PINs across two replicas: exactly the lockout budget is admitted and hashed")
    func parallelWrongPINs() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            try await Self.withReplicas(configuration, stores) { first, second in
                try await ConcurrencyTests.exactlyTheBudgetOfWrongPINs(first, second)
            }
        }
    }

    @Test("two replicas' delivery workers send every message once")
    func twoWorkersDeliverOnce() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            try await Self.withReplicas(configuration, stores) { first, second in
                let address = ConcurrencyTests.freshAddress()
                for index in 0..<12 {
                    let replica = index.isMultiple(of: 2) ? first : second
                    _ = try await replica.system.signUp.start(
                        email: Self.email("mail\(index)"), password: Harness.defaultPassword,
                        client: try Harness.client(address, browser: "browser-mail-\(index)-000000"))
                }
                async let one = first.worker.deliverDue()
                async let two = second.worker.deliverDue()
                let reports = try await [one, two]
                let ids = first.transport.messages.map(\.id) + second.transport.messages.map(\.id)
                #expect(reports.map(\.sent).reduce(0, +) == 12)
                #expect(ids.count == 12 && Set(ids).count == 12, "each message sent once: \(ids.count) sends")
                #expect(try await first.worker.deliverDue().sent + second.worker.deliverDue().sent == 0)
            }
        }
    }
}
