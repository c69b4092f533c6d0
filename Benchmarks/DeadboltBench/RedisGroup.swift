@preconcurrency import Crypto
import Deadbolt
import DeadboltRedis
import Foundation

/// Limit decisions through Deadbolt's Redis store against `redis-benchmark` running the same Lua script, on a
/// `redis-server` of the group's own (127.0.0.1 only, no persistence, stopped at the end, also on error).
///
/// One decision is `RedisStateStore.acquireToken` (the GCRA script: `TIME`, `GET`, `SET ... PX`). The peer sends
/// `EVALSHA` with the same SHA-1, the same key names and the same ARGV, so the server does the same work for both;
/// what differs is the client: Deadbolt's Swift tasks, queue, I/O threads and hiredis, against redis-benchmark's
/// single-threaded C event loop. Both figures come from the same rounds, interleaved.
struct RedisGroup {
    var settings: Settings

    /// Ports tried in turn: the first that nothing answers on and redis-server binds.
    static let ports = Array(6395...6404)
    /// Distinct keys: as many accounts (or addresses), each decision on the next (Deadbolt) or a random one
    /// (redis-benchmark's `-r`), named alike: `deadbolt:{bench<12 digits>}:rate:bench`.
    static let keyCount = 10_000
    /// Every decision on a distinct key is allowed: a key sees a few hundred decisions at most, far from the
    /// burst, and each one writes its new arrival time.
    static let limit = RateLimit(burst: 10_000, interval: .milliseconds(1))
    static let callers = 50

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "redis")
        guard let serverPath = Self.executable("redis-server"), let benchmarkPath = Self.executable("redis-benchmark"),
            let cliPath = Self.executable("redis-cli")
        else {
            report.notes.append(
                "redis-server, redis-benchmark or redis-cli is not installed (apt-get install redis-server redis-tools): "
                    + "the redis group measured nothing.")
            return report
        }
        let server = try RedisServer.start(serverPath: serverPath, cliPath: cliPath, ports: Self.ports)
        defer { server.stop() }
        try await measure(into: &report, server: server, benchmarkPath: benchmarkPath, cliPath: cliPath)
        return report
    }

    private func measure(
        into report: inout GroupReport, server: RedisServer, benchmarkPath: String, cliPath: String
    ) async throws {
        let endpoint = try RedisEndpoint(host: "127.0.0.1", port: server.port)
        let configuration = RedisConfiguration(topology: .standalone(endpoint))
        let store = try RedisStateStore(configuration: configuration)
        defer { store.shutdown() }
        let limit = Self.limit
        let source = RedisStateStore.acquireTokenScriptSource
        let sha = Insecure.SHA1.hash(data: Array(source.utf8)).map { String(format: "%02x", $0) }.joined()

        // The keys, the peer's key pattern and ARGV, exactly as the store renders and encodes them.
        let keys = try (0..<Self.keyCount).map { try StateKey(namespace: "rate", scope: Self.scope($0), name: "bench") }
        let hotKey = try StateKey(namespace: "rate", scope: "bench-hot", name: "bench")
        let pattern = try StateKey(namespace: "rate", scope: "bench__rand_int__", name: "bench").rendered
        let intervalMilliseconds = Int((limit.interval / .milliseconds(1)).rounded(.up))
        let scriptArguments = ["\(intervalMilliseconds)", "\(limit.burst)"]

        // The server's cache is empty: after one decision through the store, the script with this SHA is there,
        // so the store sent this very source, and redis-benchmark's EVALSHA runs what the store runs.
        guard case .allowed = try await store.acquireToken(keys[0], limit: limit) else {
            throw BenchError("the first decision on a fresh key was denied")
        }
        let exists = try Self.output(cliPath, ["-h", "127.0.0.1", "-p", "\(server.port)", "SCRIPT", "EXISTS", sha])
        guard exists.trimmingCharacters(in: .whitespacesAndNewlines) == "1" else {
            throw BenchError("the server holds no script with the SHA-1 of RedisStateStore.acquireTokenScriptSource")
        }

        let rounds = settings.quick ? 2 : 7
        let connections = configuration.connectionsPerNode
        // Deadbolt's pool with 50 callers: 50 operations in flight over `connections` connections, each worker
        // writing what is queued (up to pipelineDepth) in one go: about 50 / connections per write.
        let depth = (Self.callers + connections - 1) / connections
        struct Workload {
            var name: String
            var hot: Bool
        }
        var workloads = [Workload(name: "GCRA acquireToken, \(Self.keyCount) distinct keys", hot: false)]
        if !settings.quick { workloads.append(Workload(name: "GCRA acquireToken, one hot key", hot: true)) }
        for workload in workloads {
            for callers in [1, Self.callers] {
                let count = settings.quick ? (callers == 1 ? 1_000 : 4_000) : (callers == 1 ? 10_000 : 60_000)
                let hot = workload.hot
                let deadboltName = "Deadbolt RedisStateStore, \(callers) caller\(callers == 1 ? "" : "s")"
                var contenders = [
                    RateContender(name: deadboltName) {
                        let start = Harness.now()
                        try await LimitsGroup.decide(tasks: callers, count: count) { index in
                            _ = try await store.acquireToken(hot ? hotKey : keys[index % keys.count], limit: limit)
                        }
                        return Double(count) / (Double(Harness.now() - start) / 1e9)
                    }
                ]
                let shapes: [(clients: Int, pipeline: Int, label: String)] =
                    callers == 1
                    ? [(1, 1, "redis-benchmark, 1 client (-c 1 -P 1)")]
                    : [
                        (callers, 1, "redis-benchmark, \(callers) clients (-c \(callers) -P 1)"),
                        (
                            connections, depth,
                            "redis-benchmark, \(connections) clients × \(depth) pipelined (-c \(connections) -P \(depth))"
                        ),
                    ]
                for shape in shapes {
                    var command = [
                        "-h", "127.0.0.1", "-p", "\(server.port)", "-c", "\(shape.clients)", "-P", "\(shape.pipeline)",
                        "-n", "\(count)", "-q", "--csv",
                    ]
                    if !hot { command += ["-r", "\(Self.keyCount)"] }
                    command += ["EVALSHA", sha, "1", hot ? hotKey.rendered : pattern] + scriptArguments
                    let fixed = command
                    contenders.append(
                        RateContender(name: shape.label) {
                            try Self.redisBenchmark(benchmarkPath, fixed)
                        })
                }
                let rates = try await RateContender.interleave(contenders, rounds: rounds)
                let workloadName = workload.name + ", \(callers) at once"
                var notes: [String: String] = [:]
                for (offset, contender) in contenders.enumerated().dropFirst() {
                    let share = Summary.ratios(rates[0], rates[offset])
                    notes[contender.name] = String(
                        format: "Deadbolt at %.0f%% of it (p10–p90 %.0f–%.0f%%)", 100 * share.median, 100 * share.p10,
                        100 * share.p90)
                }
                report.add(
                    workload: workloadName, names: contenders.map(\.name), summaries: rates, unit: "op/s",
                    reference: deadboltName, notes: notes)
            }
        }
        report.notes.append(
            "Server: redis-server \(server.version) on 127.0.0.1:\(server.port) (--save '' --appendonly no), started "
                + "by the benchmark; it shares the \(Harness.cores) cores with the client under test.")
        report.notes.append(
            "Same script (EVALSHA \(sha.prefix(12))…, the SHA-1 of RedisStateStore.acquireTokenScriptSource, checked "
                + "with SCRIPT EXISTS after the store loaded it), same keys, ARGV \(scriptArguments.joined(separator: " ")) "
                + "(interval 1 ms, burst 10,000).")
        report.notes.append(
            "Deadbolt: default RedisConfiguration (\(connections) connections, up to \(configuration.pipelineDepth) "
                + "pipelined per write); N decisions split over 1 or \(Self.callers) tasks. redis-benchmark: its own "
                + "requests/s; -c \(connections) -P \(depth) is the pool's shape with \(Self.callers) callers "
                + "(\(connections) connections × about \(depth) per write).")
        report.notes.append(
            "Distinct keys (each decision allowed, each one a write) is the representative workload: a login service "
                + "decides on many accounts and addresses. On the hot key every decision after the first 10,000 in "
                + "a 10 s window is a denial (no write), for both clients alike.")
        report.notes.append("÷ Deadbolt is redis-benchmark's rate over Deadbolt's; the notes give Deadbolt's share, "
            + "round by round.")
    }

    /// `bench` and the index in 12 digits, as redis-benchmark expands `__rand_int__`.
    static func scope(_ index: Int) -> String {
        let digits = String(index)
        return "bench" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// Runs redis-benchmark and returns the requests per second it reports (`-q --csv`: a header, then one line
    /// whose second field is the rate).
    static func redisBenchmark(_ path: String, _ arguments: [String]) throws -> Double {
        let text = try output(path, arguments)
        let lines = text.split(whereSeparator: \.isNewline)
        guard lines.count >= 2 else { throw BenchError("redis-benchmark printed no result: \(text.prefix(300))") }
        let fields = lines[1].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        guard fields.count >= 2, let rate = Double(fields[1]), rate > 0 else {
            throw BenchError("cannot read redis-benchmark's rate from: \(lines[1].prefix(300))")
        }
        return rate
    }

    /// Runs a program to its end and returns its standard output; throws when it fails.
    static func output(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let command = ([path] + arguments.prefix(3)).joined(separator: " ")
            throw BenchError("\(command) … exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The program's path on PATH, or nil.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A contender that reports its own rate (operations per second), so redis-benchmark's figure, measured inside it,
/// is compared with Deadbolt's, measured around the decisions alone; neither counts process start or connecting.
struct RateContender: Sendable {
    var name: String
    var body: @Sendable () async throws -> Double

    /// `Harness.interleave`'s schedule (one warm-up call each, then A B C, C B A, ...), collecting rates.
    static func interleave(_ contenders: [RateContender], rounds: Int) async throws -> [Summary] {
        for contender in contenders { _ = try await contender.body() }
        var samples = Array(repeating: [Double](), count: contenders.count)
        for round in 0..<max(1, rounds) {
            let order = round.isMultiple(of: 2) ? Array(contenders.indices) : Array(contenders.indices.reversed())
            for index in order { samples[index].append(try await contenders[index].body()) }
        }
        return samples.map(Summary.init)
    }
}

/// A redis-server the benchmark starts in a temp dir on 127.0.0.1 and stops (SIGTERM, then the dir is removed).
final class RedisServer {
    let port: Int
    let version: String
    private let process: Process
    private let directory: String
    private let cliPath: String

    private init(port: Int, version: String, process: Process, directory: String, cliPath: String) {
        self.port = port
        self.version = version
        self.process = process
        self.directory = directory
        self.cliPath = cliPath
    }

    static func start(serverPath: String, cliPath: String, ports: [Int]) throws -> RedisServer {
        for port in ports where !answers(cliPath, port) {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("deadbolt-bench-redis-\(getpid())-\(port)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: serverPath)
            process.arguments = [
                "--bind", "127.0.0.1", "--port", "\(port)", "--protected-mode", "yes", "--save", "", "--appendonly",
                "no", "--dir", directory, "--logfile", directory + "/redis.log", "--daemonize", "no",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Up to 5 s for the first PONG; a server that exits (the port was taken meanwhile) moves on.
            for _ in 0..<100 where process.isRunning {
                if answers(cliPath, port) {
                    let info = (try? RedisGroup.output(cliPath, ["-h", "127.0.0.1", "-p", "\(port)", "INFO", "server"])) ?? ""
                    let version = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("redis_version:") }
                        .map { String($0.dropFirst("redis_version:".count)) } ?? "?"
                    return RedisServer(
                        port: port, version: version, process: process, directory: directory, cliPath: cliPath)
                }
                usleep(50_000)
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
        throw BenchError("could not start redis-server on any of 127.0.0.1:\(ports.first ?? 0)…\(ports.last ?? 0)")
    }

    /// Stops the server this benchmark started (and only it: `SHUTDOWN NOSAVE` on its port, then SIGKILL to its
    /// process id if it is still up after 5 s) and removes its directory. Not SIGTERM: a child started from a
    /// Dispatch thread inherits that thread's blocked signals, so redis-server would never see it.
    func stop() {
        _ = try? RedisGroup.output(cliPath, ["-h", "127.0.0.1", "-p", "\(port)", "SHUTDOWN", "NOSAVE"])
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func answers(_ cliPath: String, _ port: Int) -> Bool {
        let reply = try? RedisGroup.output(cliPath, ["-h", "127.0.0.1", "-p", "\(port)", "PING"])
        return reply?.contains("PONG") ?? false
    }
}
