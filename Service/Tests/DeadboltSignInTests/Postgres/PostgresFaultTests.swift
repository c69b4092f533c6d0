import Foundation
import Logging
import Testing

@testable import DeadboltPostgres
@testable import DeadboltSignIn

/// PostgreSQL failing under the store: stopped at once, frozen, back again. Every test runs its own server through
/// scripts/postgres-test-server (never the shared one on 5439), on a port free when it starts, and removes it; every
/// wait is bounded.
@Suite("Postgres faults", .serialized)
struct PostgresFaultTests {
    /// The outcome of a call that must neither crash nor hang.
    enum Outcome<Value: Sendable>: Sendable {
        case returned(Value)
        case threw(any Error)
        case hung
    }

    /// Runs `call`, giving up on it after `bound`: far beyond the store's own timeout, so `.hung` means a hang.
    static func bounded<Value: Sendable>(
        within bound: Duration = .seconds(15), _ call: @escaping @Sendable () async throws -> Value
    ) async -> Outcome<Value> {
        await withTaskGroup(of: Outcome<Value>.self) { group in
            group.addTask {
                do { return .returned(try await call()) } catch { return .threw(error) }
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

    static func isUnavailable<Value>(_ outcome: Outcome<Value>) -> Bool {
        if case .threw(let error) = outcome, case .unavailable = error as? SignInStoreError { return true }
        return false
    }

    /// The shared URL's credentials on `port`, with short timeouts (this server is idle).
    static func configuration(url: String, port: Int) throws -> PostgresConfiguration {
        var configuration = try PostgresConfiguration(url: url)
        configuration.port = port
        configuration.connectTimeout = .seconds(1)
        configuration.operationTimeout = .seconds(2)
        configuration.maximumConnections = 4
        return configuration
    }

    /// Starts `server` and a store on it with the timeouts above; the caller removes the server.
    static func startedStore(url: String, on server: PostgresServerProcess) async throws -> PostgresSignInStore {
        try server.run("start")
        return try await PostgresSignInStore.start(
            configuration: try configuration(url: url, port: server.port), logger: PostgresTestEnvironment.logger)
    }

    @Test("PostgreSQL stopped mid-run: calls fail as unavailable within the timeout; started again: the store recovers by itself")
    func stoppedAndStarted() async throws {
        guard let url = PostgresTestEnvironment.serverURL() else { return }
        let server = PostgresServerProcess(port: try PostgresTestEnvironment.freePort())
        defer { server.remove() }
        let store = try await Self.startedStore(url: url, on: server)
        let account = try PostgresTestEnvironment.account("fault@example.com")
        try await store.apply(ChangeSet([.insertAccount(account)]))
        // synchronous_commit is off on the test server: give the WAL writer (200 ms) time to write the commit.
        try await Task.sleep(for: .seconds(1))

        try server.run("crash")
        for _ in 0..<5 {
            let outcome = await Self.bounded { try await store.account(id: account.id) }
            #expect(Self.isUnavailable(outcome), "a read from a stopped PostgreSQL answered \(outcome)")
        }
        let write = await Self.bounded { try await store.apply(ChangeSet([.setAccountState(account: account.id, state: .active)])) }
        #expect(Self.isUnavailable(write), "a change set on a stopped PostgreSQL answered \(write)")
        // Many callers at once while it is down: all fail, none hangs.
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<30 {
                group.addTask { Self.isUnavailable(await Self.bounded { try await store.account(id: account.id) }) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 30)
        #expect(Self.isUnavailable(await Self.bounded { try await store.ping() }), "the readiness probe while it is down")

        try server.run("start")
        var recovered: AccountRecord?
        for _ in 0..<60 where recovered == nil {
            if case .returned(let found?) = await Self.bounded({ try await store.account(id: account.id) }) {
                recovered = found
            } else {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        #expect(recovered?.state == account.state, "the store did not recover within 30 s of the restart")
        try await store.ping()
        // Nothing of the failed change set was applied, and writes work again.
        try await store.apply(ChangeSet([.setAccountState(account: account.id, state: .active)]))
        #expect(try await store.account(id: account.id)?.state == .active)
        await store.shutdown()
    }

    @Test("a frozen PostgreSQL (SIGSTOP): calls fail as unavailable at the operation timeout instead of hanging")
    func frozen() async throws {
        guard let url = PostgresTestEnvironment.serverURL() else { return }
        let server = PostgresServerProcess(port: try PostgresTestEnvironment.freePort())
        defer { server.remove() }
        let store = try await Self.startedStore(url: url, on: server)
        let account = try PostgresTestEnvironment.account("frozen@example.com")
        try await store.apply(ChangeSet([.insertAccount(account)]))

        try server.signal("STOP")
        // A pooled connection whose server stopped answering, and new connections the server never answers.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { Self.isUnavailable(await Self.bounded { try await store.account(id: account.id) }) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        try server.signal("CONT")
        #expect(outcomes == 8, "calls to a frozen server must fail as unavailable, not hang")

        var recovered = false
        for _ in 0..<60 where !recovered {
            if case .returned(.some) = await Self.bounded({ try await store.account(id: account.id) }) {
                recovered = true
            } else {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        #expect(recovered, "the store did not recover within 30 s of the server thawing")
        await store.shutdown()
    }

    @Test("a sign-in step while PostgreSQL is stopped fails closed; after the restart the same token works, once")
    func stepDuringOutage() async throws {
        guard let url = PostgresTestEnvironment.serverURL() else { return }
        let server = PostgresServerProcess(port: try PostgresTestEnvironment.freePort())
        defer { server.remove() }
        let store = try await Self.startedStore(url: url, on: server)
        let harness = try await Harness(store: store)
        let client = try Harness.client()
        try await harness.activeAccount("outage@example.com", client: client)
        let token = try await harness.passwordStep("outage@example.com", client: client)
        try await Task.sleep(for: .seconds(1))  // the WAL writer, as above

        try server.run("crash")
        let during = await Self.bounded {
            try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
        }
        guard case .threw(let error) = during, error as? SignInError == .unavailable else {
            Issue.record("a step while PostgreSQL is down answered \(during)")
            await store.shutdown()
            return
        }

        try server.run("start")
        var answer: SignInAnswer?
        for _ in 0..<60 where answer == nil {
            if case .returned(let returned) = await Self.bounded({
                try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
            }) {
                answer = returned
            } else {
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        guard case .needPIN = answer else {
            Issue.record("the step after the restart answered \(String(describing: answer))")
            await store.shutdown()
            return
        }
        // Consumed once: a replay is refused.
        await #expect {
            try await harness.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client)
        } throws: { error in
            error as? SignInError == .stepInvalid || error as? SignInError == .stepAlreadyUsed
        }
        await store.shutdown()
    }

    @Test("no server at all: start fails as unavailable, promptly")
    func noServer() async throws {
        guard let url = PostgresTestEnvironment.serverURL() else { return }
        // A port nothing listens on.
        var configuration = try Self.configuration(url: url, port: try PostgresTestEnvironment.freePort())
        configuration.migrationTimeout = .seconds(3)
        let unreachable = configuration
        let outcome = await Self.bounded {
            try await PostgresSignInStore.start(configuration: unreachable, logger: PostgresTestEnvironment.logger)
        }
        switch outcome {
        case .threw(let error):
            guard case .unavailable = error as? SignInStoreError else {
                Issue.record("start without a server threw \(error)")
                return
            }
        case .returned(let store):
            await store.shutdown()
            Issue.record("start without a server succeeded")
        case .hung:
            Issue.record("start without a server hung")
        }
    }
}

/// A PostgreSQL server of a test's own, run through scripts/postgres-test-server on its own port.
struct PostgresServerProcess: Sendable {
    let port: Int

    static var script: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres-test-server")
    }

    /// Runs `scripts/postgres-test-server command` for this port; throws when it fails.
    func run(_ command: String) throws {
        let process = Process()
        process.executableURL = Self.script
        process.arguments = [command]
        var environment = ProcessInfo.processInfo.environment
        environment["DEADBOLT_TEST_POSTGRES_PORT"] = String(port)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SignInStoreError.unavailable("scripts/postgres-test-server \(command) failed for port \(port)")
        }
    }

    /// Sends `signal` (STOP, CONT) to the postmaster and every process it started, by process id.
    func signal(_ signal: String) throws {
        let statePath = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/deadbolt-postgres-test-server-\(port).dir"
        let directory = try String(contentsOfFile: statePath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let pidFile = try String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8)
        guard let postmaster = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw SignInStoreError.unavailable("no postmaster pid for port \(port)")
        }
        var pids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after the command name: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        for pid in pids {
            kill(pid, signal == "STOP" ? SIGSTOP : SIGCONT)
        }
    }

    /// Stops the server and removes its data.
    func remove() {
        try? run("stop")
    }
}
