import Deadbolt
import DeadboltRedis

/// Opens the configured state store: in memory for one process, Redis (or a Redis Cluster) for many replicas.
enum StateStores {
    /// The store, and what closes it at shutdown.
    static func open(_ location: StateStoreLocation) throws(ConfigurationError) -> (
        store: any StateStore, close: @Sendable () -> Void
    ) {
        switch location {
        case .memory:
            return (InMemoryStateStore(), {})
        case .redis(let endpoint):
            return try redis(.standalone(redisEndpoint(endpoint)))
        case .redisCluster(let seeds):
            var endpoints: [RedisEndpoint] = []
            for seed in seeds { endpoints.append(try redisEndpoint(seed)) }
            return try redis(.cluster(seeds: endpoints))
        }
    }

    private static func redisEndpoint(_ hostPort: HostPort) throws(ConfigurationError) -> RedisEndpoint {
        do { return try RedisEndpoint(host: hostPort.host, port: hostPort.port) } catch {
            throw .invalidValue(setting: "--redis", reason: "\(hostPort) is not a Redis endpoint: \(error)")
        }
    }

    private static func redis(
        _ topology: RedisConfiguration.Topology
    ) throws(ConfigurationError) -> (store: any StateStore, close: @Sendable () -> Void) {
        do {
            let store = try RedisStateStore(configuration: RedisConfiguration(topology: topology))
            return (store, { store.shutdown() })
        } catch {
            throw .invalidValue(setting: "--redis", reason: "cannot use Redis: \(error)")
        }
    }

    /// Whether `store` answers: one read of a key nothing writes.
    static func isReachable(_ store: any StateStore) async -> Bool {
        do {
            _ = try await store.codeSetCount(try StateKey(namespace: "health", identifier: "readyz"))
            return true
        } catch {
            return false
        }
    }
}
