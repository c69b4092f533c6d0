import Deadbolt
import Testing

@testable import DeadboltRedis

/// The conformance suite against a single Redis and against the three-node cluster, with real (short) time.
@Suite("StateStore conformance on Redis", .serialized)
struct RedisConformanceTests {
    /// 250 ms: a few round trips fit in it on a loaded machine (they take well under a millisecond unloaded),
    /// and the longest case still waits only about three seconds.
    static let tick: Duration = .milliseconds(250)

    @Test("single Redis", arguments: StateStoreConformance.cases)
    func single(_ conformance: ConformanceCase) async throws {
        try await StateStoreConformance.run(
            conformance, tick: Self.tick, makeStore: { try await RedisTestEnvironment.singleStore() },
            advance: RedisTestEnvironment.sleep, finish: Self.shutDown)
    }

    @Test("Redis Cluster", arguments: StateStoreConformance.cases)
    func cluster(_ conformance: ConformanceCase) async throws {
        try await StateStoreConformance.run(
            conformance, tick: Self.tick, makeStore: { try await RedisTestEnvironment.clusterStore() },
            advance: RedisTestEnvironment.sleep, finish: Self.shutDown)
    }

    static func shutDown(_ store: any StateStore) {
        (store as? RedisStateStore)?.shutdown()
    }
}
