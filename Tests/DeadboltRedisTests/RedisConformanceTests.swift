import Deadbolt
import Testing

@testable import DeadboltRedis

/// The conformance suite against a single Redis and against the three-node cluster, with real (short) time.
@Suite("StateStore conformance on Redis")
struct RedisConformanceTests {
    /// 200 ms: long enough for a few round trips on a loaded machine, short enough that the suite stays fast.
    static let tick: Duration = .milliseconds(200)

    @Test("single Redis", arguments: StateStoreConformance.cases)
    func single(_ conformance: ConformanceCase) async throws {
        guard let store = try await RedisTestEnvironment.singleStore() else { return }
        try await using(store) { store in
            try await conformance.body(ConformanceSubject(store: store, tick: Self.tick, advance: RedisTestEnvironment.sleep))
        }
    }

    @Test("Redis Cluster", arguments: StateStoreConformance.cases)
    func cluster(_ conformance: ConformanceCase) async throws {
        guard let store = try await RedisTestEnvironment.clusterStore() else { return }
        try await using(store) { store in
            try await conformance.body(ConformanceSubject(store: store, tick: Self.tick, advance: RedisTestEnvironment.sleep))
        }
    }
}
