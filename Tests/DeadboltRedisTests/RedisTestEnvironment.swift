import Deadbolt
import Foundation
import Testing

@testable import DeadboltRedis

/// The servers `scripts/redis-test-servers start` runs, and helpers to reach them.
///
/// Every Redis test asks for its store here and returns early, with a note, when the server is not running, so
/// `swift test` passes on a machine without Redis.
enum RedisTestEnvironment {
    static let singlePort = 6390
    static let clusterPorts = [7001, 7002, 7003]

    /// Generous limits for tests sharing a loaded machine: correctness is under test here, not latency. The whole
    /// suite runs its CPU-heavy Argon2 and vector tests beside these on two cores, where a cluster store's first
    /// call (slot map, connections, script loads) has been seen to take over 3 s. The fault tests use the shipped
    /// defaults.
    static func configuration(_ topology: RedisConfiguration.Topology) -> RedisConfiguration {
        RedisConfiguration(
            topology: topology, connectTimeout: .seconds(2), commandTimeout: .seconds(5),
            operationTimeout: .seconds(10), connectionsPerNode: 3)
    }

    static func singleTopology() throws -> RedisConfiguration.Topology {
        .standalone(try RedisEndpoint(host: "127.0.0.1", port: singlePort))
    }

    static func clusterTopology() throws -> RedisConfiguration.Topology {
        .cluster(seeds: try clusterPorts.map { try RedisEndpoint(host: "127.0.0.1", port: $0) })
    }

    /// A store on the single server, or `nil` (after a note) when it does not answer.
    static func singleStore() async throws -> RedisStateStore? {
        try await reachableStore(configuration(try singleTopology()), "127.0.0.1:\(singlePort)")
    }

    /// A store on the three-node cluster, or `nil` (after a note) when it does not answer.
    static func clusterStore() async throws -> RedisStateStore? {
        try await reachableStore(configuration(try clusterTopology()), "the cluster on 127.0.0.1:7001-7003")
    }

    static func reachableStore(_ configuration: RedisConfiguration, _ name: String) async throws -> RedisStateStore? {
        let store = try RedisStateStore(configuration: configuration)
        // The first call of a store connects, maps the cluster's slots and loads scripts; under the whole suite's
        // load on two cores it has missed even generous deadlines once in a while, so the probe tries three times.
        var failure: (any Error)?
        for attempt in 0..<3 {
            do {
                _ = try await store.codeSetCount(try StateKey(namespace: "probe", scope: "probe"))
                return store
            } catch {
                failure = error
                if attempt < 2 { try await Task.sleep(for: .milliseconds(500)) }
            }
        }
        store.shutdown()
        let reason = failure.map { "\($0)" } ?? "no answer"
        // scripts/test starts the servers and sets this: there, a missing server is a failure, not a skip.
        if ProcessInfo.processInfo.environment["DEADBOLT_REQUIRE_REDIS"] == "1" {
            Issue.record("no Redis at \(name) (\(reason)), and DEADBOLT_REQUIRE_REDIS=1")
            return nil
        }
        print("note: no Redis at \(name) (\(reason)); run scripts/redis-test-servers start. Skipped.")
        return nil
    }

    /// Sleeps at least `duration`, plus a margin for the server's millisecond rounding.
    @Sendable static func sleep(_ duration: Duration) async throws {
        try await Task.sleep(for: duration + .milliseconds(30))
    }
}

/// A redis-server this test process starts and kills (the fault tests), on its own port in its own temp dir.
final class RedisServerProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns this value, one call at a time.
    let port: Int
    private let extraArguments: [String]
    private let directory: URL
    private var process: Process?

    /// A server on `port`, started with `extraArguments` after the test defaults (`--cluster-enabled yes`, ...).
    init(port: Int, extraArguments: [String] = []) throws {
        self.port = port
        self.extraArguments = extraArguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("deadbolt-redis-fault-\(port)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Whether redis-server is installed.
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server")
    }

    /// Starts the server and waits (at most 5 s) until it answers PING.
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = [
            "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--enable-debug-command", "yes", "--daemonize", "no",
        ] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<100 {
            if Self.cli(port: port, ["PING"]) == "PONG" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StateStoreError.unavailable(reason: "the test redis-server on \(port) did not start")
    }

    /// Kills the server at once (no shutdown: as a crash or a lost host would).
    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Kills the server and removes its files.
    func stop() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs redis-cli against `port` and returns its trimmed output (or `nil` when it failed to run).
    @discardableResult
    static func cli(port: Int, _ arguments: [String], wait: Bool = true) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
        process.arguments = ["-h", "127.0.0.1", "-p", String(port)] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        guard wait else { return "" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Runs `body` against `store`, shutting the store down afterwards whatever happens.
func using<Result>(_ store: RedisStateStore, _ body: (RedisStateStore) async throws -> Result) async throws -> Result {
    do {
        let result = try await body(store)
        store.shutdown()
        return result
    } catch {
        store.shutdown()
        throw error
    }
}
