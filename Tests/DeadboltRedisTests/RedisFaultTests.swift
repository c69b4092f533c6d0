import Deadbolt
import Testing

@testable import DeadboltRedis

/// Redis failing under the store: killed, restarted, slow, absent. Each test starts its own redis-server (never
/// the shared test servers) and stops it; every wait is bounded.
@Suite("Redis faults", .serialized)
struct RedisFaultTests {
    /// The outcome of a call that must neither crash nor hang.
    enum Outcome<Value: Sendable>: Sendable {
        case returned(Value)
        case threw(StateStoreError)
        case hung
    }

    /// Runs `call`, giving up on it after `bound` (far beyond the store's own timeout: a hang, not a slow answer).
    static func bounded<Value: Sendable>(
        within bound: Duration = .seconds(5), _ call: @escaping @Sendable () async throws -> Value
    ) async -> Outcome<Value> {
        await withTaskGroup(of: Outcome<Value>.self) { group in
            group.addTask {
                do {
                    return .returned(try await call())
                } catch let error as StateStoreError {
                    return .threw(error)
                } catch {
                    return .threw(.unavailable(reason: "\(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: bound)
                return .hung
            }
            let first = await group.next() ?? .hung
            group.cancelAll()
            return first
        }
    }

    /// Whether `outcome` is the failure a dead or slow Redis must produce.
    static func isTimeoutOrUnavailable<Value>(_ outcome: Outcome<Value>) -> Bool {
        switch outcome {
        case .threw(.timeout), .threw(.unavailable): true
        default: false
        }
    }

    /// The shipped timeouts, a short backoff so the test sees recovery quickly.
    static func store(port: Int) throws -> RedisStateStore {
        try RedisStateStore(
            configuration: RedisConfiguration(
                topology: .standalone(try RedisEndpoint(host: "127.0.0.1", port: port)),
                initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200)))
    }

    static func key() throws -> StateKey {
        try StateKey(namespace: "rate", scope: "fault-\(UInt64.random(in: 0...UInt64.max))")
    }

    static let limit = RateLimit(burst: 1000, interval: .seconds(60))

    @Test("Redis killed mid-run: calls fail within the timeout; restarted: the store recovers by itself")
    func killedAndRestarted() async throws {
        guard RedisServerProcess.isAvailable else {
            print("note: redis-server is not installed; fault tests skipped")
            return
        }
        let server = try RedisServerProcess(port: 6391)
        defer { server.stop() }
        try await server.start()
        let store = try Self.store(port: 6391)
        defer { store.shutdown() }
        let key = try Self.key()
        let limit = Self.limit
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 999))

        server.kill()
        for _ in 0..<10 {
            let outcome = await Self.bounded { try await store.acquireToken(key, limit: limit) }
            #expect(Self.isTimeoutOrUnavailable(outcome), "a call to a dead Redis answered \(outcome)")
        }
        // Many callers at once while it is down: all fail, none hangs.
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 {
                group.addTask { Self.isTimeoutOrUnavailable(await Self.bounded { try await store.acquireToken(key, limit: limit) }) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 50)

        try await server.start()
        var recovered = false
        for _ in 0..<50 where !recovered {
            if case .returned = await Self.bounded({ try await store.acquireToken(key, limit: limit) }) {
                recovered = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(recovered, "the store did not recover within 5 s of the restart")
        // The restarted server lost its script cache: these run through NOSCRIPT and a reload, on every connection.
        for _ in 0..<20 {
            guard case .returned(.allowed) = await Self.bounded({ try await store.acquireToken(key, limit: limit) }) else {
                Issue.record("a call failed after recovery")
                return
            }
        }
    }

    @Test("a slow Redis (DEBUG SLEEP) hits the command timeout, then the store carries on")
    func slowServer() async throws {
        guard RedisServerProcess.isAvailable else { return }
        let server = try RedisServerProcess(port: 6391)
        defer { server.stop() }
        try await server.start()
        let store = try Self.store(port: 6391)
        defer { store.shutdown() }
        let key = try Self.key()
        let limit = Self.limit
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 999))

        // Another client blocks the server for two seconds. Until its DEBUG SLEEP arrives, calls still answer.
        RedisServerProcess.cli(port: 6391, ["DEBUG", "SLEEP", "2"], wait: false)
        var timedOut = false
        for _ in 0..<30 where !timedOut {
            switch await Self.bounded({ try await store.acquireToken(key, limit: limit) }) {
            case .threw(.timeout): timedOut = true
            case .returned: try await Task.sleep(for: .milliseconds(50))
            case let other:
                Issue.record("a call to a sleeping Redis answered \(other), not a timeout")
                return
            }
        }
        #expect(timedOut, "no call hit the command timeout while the server slept")
        var answered = false
        for _ in 0..<50 where !answered {
            if case .returned = await Self.bounded({ try await store.acquireToken(key, limit: limit) }) {
                answered = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(answered, "the store did not answer again within 5 s of the server waking")
    }

    @Test("a flushed script cache is reloaded on NOSCRIPT, and the operation runs once")
    func scriptFlush() async throws {
        guard RedisServerProcess.isAvailable else { return }
        let server = try RedisServerProcess(port: 6391)
        defer { server.stop() }
        try await server.start()
        let store = try Self.store(port: 6391)
        defer { store.shutdown() }
        let key = try Self.key()
        let limit = Self.limit
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 999))
        #expect(RedisServerProcess.cli(port: 6391, ["SCRIPT", "FLUSH"]) == "OK")
        // One token taken, not two: the EVALSHA refused with NOSCRIPT did not run.
        #expect(try await store.acquireToken(key, limit: limit) == .allowed(remaining: 998))
    }

    @Test("nothing listening: unavailable at once, and at once again while backing off")
    func nothingListening() async throws {
        let store = try Self.store(port: 6392)
        defer { store.shutdown() }
        let key = try Self.key()
        let limit = Self.limit
        for _ in 0..<3 {
            let outcome = await Self.bounded { try await store.acquireToken(key, limit: limit) }
            guard case .threw(.unavailable) = outcome else {
                Issue.record("a call with nothing listening answered \(outcome)")
                return
            }
        }
    }

    @Test("a wrong password is refused as unavailable, never echoed")
    func wrongPassword() async throws {
        guard RedisServerProcess.isAvailable else { return }
        let server = try RedisServerProcess(port: 6391)
        defer { server.stop() }
        try await server.start()
        RedisServerProcess.cli(port: 6391, ["ACL", "SETUSER", "deadbolt", "on", ">right-password", "~deadbolt:*", "+@all"])
        let endpoint = try RedisEndpoint(host: "127.0.0.1", port: 6391)
        let wrong = try RedisStateStore(
            configuration: RedisConfiguration(
                topology: .standalone(endpoint), username: "deadbolt", password: SecretBytes(utf8: "not-the-password")))
        defer { wrong.shutdown() }
        let key = try Self.key()
        let limit = Self.limit
        let outcome = await Self.bounded { try await wrong.acquireToken(key, limit: limit) }
        guard case .threw(.unavailable(let reason)) = outcome else {
            Issue.record("a wrong password answered \(outcome)")
            return
        }
        #expect(!reason.contains("not-the-password"))

        let right = try RedisStateStore(
            configuration: RedisConfiguration(
                topology: .standalone(endpoint), username: "deadbolt", password: SecretBytes(utf8: "right-password"),
                database: 3))
        defer { right.shutdown() }
        #expect(try await right.acquireToken(key, limit: limit) == .allowed(remaining: 999))
        // It went to database 3.
        #expect(RedisServerProcess.cli(port: 6391, ["-n", "3", "EXISTS", key.rendered]) == "1")
        #expect(RedisServerProcess.cli(port: 6391, ["-n", "0", "EXISTS", key.rendered]) == "0")
    }

    @Test("a shut-down store refuses calls")
    func shutDown() async throws {
        let store = try Self.store(port: 6392)
        store.shutdown()
        let key = try Self.key()
        let limit = Self.limit
        let outcome = await Self.bounded { try await store.acquireToken(key, limit: limit) }
        #expect(Self.isTimeoutOrUnavailable(outcome))
    }
}

/// A cluster primary lost and its replica promoted: the store finds the new primary by itself.
@Suite("Redis Cluster failover", .serialized)
struct RedisFailoverTests {
    /// Polls `condition` every 100 ms for at most 20 s.
    static func waitUntil(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test("a killed primary, a replica taking over: calls fail, then reach the new primary")
    func failover() async throws {
        guard RedisServerProcess.isAvailable else { return }
        let clusterArguments = [
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
            // Redis 7 waits 5 s by default before a diskless full sync, hoping more replicas join; and CLUSTER
            // SLOTS lists a replica only once its replication offset moves, which on an idle primary takes its
            // first replication PING (10 s by default).
            "--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1",
        ]
        let primary = try RedisServerProcess(port: 7011, extraArguments: clusterArguments)
        let replica = try RedisServerProcess(port: 7012, extraArguments: clusterArguments)
        defer {
            primary.stop()
            replica.stop()
        }
        try await primary.start()
        try await replica.start()
        // A one-primary cluster owning every slot, with one replica.
        #expect(RedisServerProcess.cli(port: 7011, ["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]) == "OK")
        #expect(RedisServerProcess.cli(port: 7012, ["CLUSTER", "MEET", "127.0.0.1", "7011"]) == "OK")
        guard let primaryID = RedisServerProcess.cli(port: 7011, ["CLUSTER", "MYID"]) else {
            Issue.record("redis-cli did not run")
            return
        }
        let attached = try await Self.waitUntil {
            RedisServerProcess.cli(port: 7012, ["CLUSTER", "REPLICATE", primaryID]) == "OK"
        }
        let synced = try await Self.waitUntil {
            RedisServerProcess.cli(port: 7012, ["INFO", "replication"])?.contains("master_link_status:up") == true
                && RedisServerProcess.cli(port: 7011, ["CLUSTER", "INFO"])?.contains("cluster_state:ok") == true
                && RedisServerProcess.cli(port: 7011, ["CLUSTER", "SLOTS"])?.contains("7012") == true
        }
        guard attached, synced else {
            Issue.record("the test cluster did not form (attached \(attached), synced \(synced))")
            return
        }

        // The store knows only the primary as a seed; the replica comes from the slot map.
        let store = try RedisStateStore(
            configuration: RedisConfiguration(
                topology: .cluster(seeds: [try RedisEndpoint(host: "127.0.0.1", port: 7011)]),
                initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200)))
        defer { store.shutdown() }
        let key = try StateKey(namespace: "resend", scope: "failover-\(UInt64.random(in: 0...UInt64.max))")
        #expect(try await store.claim(key, ttl: .seconds(60)))

        primary.kill()
        let whileDown = await RedisFaultTests.bounded { try await store.claim(key, ttl: .seconds(60)) }
        #expect(RedisFaultTests.isTimeoutOrUnavailable(whileDown), "a call to a dead primary answered \(whileDown)")
        // No majority is left to elect, so the operator's tool: a forced takeover.
        #expect(RedisServerProcess.cli(port: 7012, ["CLUSTER", "FAILOVER", "TAKEOVER"]) == "OK")
        let promoted = try await Self.waitUntil {
            RedisServerProcess.cli(port: 7012, ["ROLE"])?.hasPrefix("master") == true
        }
        #expect(promoted)

        var recovered = false
        for _ in 0..<50 where !recovered {
            let scope = "failover-\(UInt64.random(in: 0...UInt64.max))"
            let fresh = try StateKey(namespace: "resend", scope: scope)
            if case .returned(true) = await RedisFaultTests.bounded({ try await store.claim(fresh, ttl: .seconds(60)) }) {
                recovered = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(recovered, "the store did not reach the promoted replica within 5 s")
        // The replica had the primary's data (the claim made before the failure is still there).
        #expect(try await !store.claim(key, ttl: .seconds(60)))
    }
}
