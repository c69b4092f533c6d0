import Deadbolt
import DeadboltRedis
import DeadboltSQLite
import Foundation
import Testing

@testable import DeadboltSignIn

/// Two replicas (two sign-in systems over one database and one state store) racing: one step token submitted by
/// both at once has one winner; parallel wrong PINs get exactly the lockout budget; four delivery workers on two
/// replicas deliver each message once. On the in-memory state store,
/// and on the shared test Redis (127.0.0.1:6390) when it runs (required with DEADBOLT_REQUIRE_REDIS=1).
@Suite(.serialized) struct ConcurrencyTests {
    /// Two replicas over one SQLite file and one state store.
    static func replicas(stateStore: (any StateStore)?) async throws -> (Harness, Harness, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deadbolt-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("sign-in.sqlite").path
        let clock = ManualClock(wallOrigin: Int64(Date().timeIntervalSince1970 * 1000))
        let state = stateStore ?? InMemoryStateStore(clock: clock)
        let first = try await Harness(clock: clock, store: try SQLiteSignInStore(path: path), stateStore: state)
        let second = try await Harness(clock: clock, store: try SQLiteSignInStore(path: path), stateStore: state)
        return (first, second, folder)
    }

    static func redis() async throws -> RedisStateStore? {
        let configuration = RedisConfiguration(
            topology: .standalone(try RedisEndpoint(host: "127.0.0.1", port: 6390)), connectTimeout: .seconds(2),
            commandTimeout: .seconds(5), operationTimeout: .seconds(10), connectionsPerNode: 3)
        let store = try RedisStateStore(configuration: configuration)
        do {
            _ = try await store.codeSetCount(try StateKey(namespace: "probe", scope: "probe"))
            return store
        } catch {
            store.shutdown()
            if ProcessInfo.processInfo.environment["DEADBOLT_REQUIRE_REDIS"] == "1" {
                Issue.record("no Redis at 127.0.0.1:6390 (\(error)), and DEADBOLT_REQUIRE_REDIS=1")
            } else {
                print("note: no Redis at 127.0.0.1:6390; run scripts/redis-test-servers start. Skipped.")
            }
            return nil
        }
    }

    /// An address of its own per run: the shared Redis keeps per-address budgets between runs.
    static func freshAddress() -> String { "198.18.\(Int.random(in: 0...255)).\(Int.random(in: 1...254))" }

    /// One PIN step token submitted by both replicas at once, three rounds: one session a round, a typed error for
    /// every other submission, and no round that granted two (the store holds the first sign-in's session and one a
    /// round). The races of every store pair use it (here SQLite, `PostgresReplicaRaceTests` PostgreSQL).
    static func oneWinnerPerStepToken(_ first: Harness, _ second: Harness) async throws {
        let email = "race-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let client = try Harness.client(freshAddress())
        let grant = try await first.activeAccount(email, client: client, rememberDevice: true)
        let remembered = try ClientContext(
            address: client.address, browserID: client.browserID, rememberedDevice: grant.rememberedDevice?.token, deviceLabel: "Firefox")
        for _ in 0..<3 {
            let token = try await first.passwordStep(email, client: remembered)
            guard case .needPIN(let pinToken) = try await second.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: remembered) else {
                Issue.record("no PIN step"); return
            }
            let results = await withTaskGroup(of: Result<SignInAnswer, SignInError>.self) { group in
                for replica in [first, second, first, second, first, second] {
                    group.addTask {
                        do {
                            return .success(try await replica.system.signIn.submitPIN(pinToken, pin: Harness.goodPIN, client: remembered))
                        } catch let error as SignInError {
                            return .failure(error)
                        } catch {
                            return .failure(.unavailable)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let sessions = results.filter { if case .success(.signedIn) = $0 { true } else { false } }
            #expect(sessions.count == 1, "one winner: \(results)")
            for case .failure(let error) in results {
                #expect(error == .stepAlreadyUsed || error == .stepInvalid, "a loser gets a typed error, not \(error)")
            }
        }
        let account = try #require(try await first.store.account(emailKey: email)).id
        #expect(try await first.store.sessions(account: account).count == 4)
    }

    /// 24 wrong PINs for one step token, alternating between the replicas, all at once: exactly the lockout budget
    /// is admitted and hashed, every other attempt is told the account is locked.
    static func exactlyTheBudgetOfWrongPINs(_ first: Harness, _ second: Harness) async throws {
        let email = "guess-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let client = try Harness.client(freshAddress())
        try await first.activeAccount(email, client: client)
        let token = try await first.passwordStep(email, client: client)
        guard case .needPIN(let pinToken) = try await first.system.signIn.submitPassword(token, password: Harness.defaultPassword, client: client) else {
            Issue.record("no PIN step"); return
        }
        let verifiesBefore = first.pins.verifies + second.pins.verifies
        let answers = try await withThrowingTaskGroup(of: SignInAnswer.self) { group in
            for index in 0..<24 {
                let replica = index.isMultiple(of: 2) ? first : second
                group.addTask { try await replica.system.signIn.submitPIN(pinToken, pin: "000000", client: client) }
            }
            return try await group.reduce(into: [SignInAnswer]()) { $0.append($1) }
        }
        let budget = first.system.context.configuration.pinLockout.accountSource.threshold
        let admitted = answers.filter { $0 == .wrongPIN }.count
        #expect(admitted == budget, "exactly the budget (\(budget)) is admitted: \(answers)")
        #expect(answers.allSatisfy { if case .locked = $0 { true } else { $0 == .wrongPIN } })
        #expect(first.pins.verifies + second.pins.verifies - verifiesBefore == budget, "only admitted attempts were hashed")
    }

    @Test func twoReplicasDeliveryWorkersDeliverEachMessageOnce() async throws {
        let (first, second, folder) = try await Self.replicas(stateStore: nil)
        defer { try? FileManager.default.removeItem(at: folder) }
        for index in 0..<16 {
            let replica = index.isMultiple(of: 2) ? first : second
            _ = try await replica.system.signUp.start(
                email: "outbox\(index)@example.com", password: Harness.defaultPassword,
                client: try Harness.client(Self.freshAddress(), browser: "browser-outbox-\(index)-0000"))
        }
        // Two workers on each replica, all four at once, into one transport.
        let workers = [
            first.worker, first.system.deliveryWorker(transport: first.transport, name: "first-b"),
            second.system.deliveryWorker(transport: first.transport, name: "second-a"),
            second.system.deliveryWorker(transport: first.transport, name: "second-b"),
        ]
        let sent = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in workers { group.addTask { try await worker.deliverDue().sent } }
            return try await group.reduce(0, +)
        }
        let ids = first.transport.messages.map(\.id)
        #expect(sent == 16 && ids.count == 16 && Set(ids).count == 16, "each message delivered once: \(sent) reported, \(ids.count) sent")
        #expect(try await first.worker.deliverDue().sent == 0, "nothing left")
    }

    @Test func oneStepTokenSubmittedByTwoReplicasAtOnceHasOneWinnerInMemory() async throws {
        let (first, second, folder) = try await Self.replicas(stateStore: nil)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.oneWinnerPerStepToken(first, second)
    }

    @Test func parallelWrongPINsAcrossTwoReplicasGetExactlyTheBudgetInMemory() async throws {
        let (first, second, folder) = try await Self.replicas(stateStore: nil)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.exactlyTheBudgetOfWrongPINs(first, second)
    }

    @Test func oneStepTokenSubmittedByTwoReplicasAtOnceHasOneWinnerOnRedis() async throws {
        guard let redis = try await Self.redis() else { return }
        defer { redis.shutdown() }
        let (first, second, folder) = try await Self.replicas(stateStore: redis)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.oneWinnerPerStepToken(first, second)
    }

    @Test func parallelWrongPINsAcrossTwoReplicasGetExactlyTheBudgetOnRedis() async throws {
        guard let redis = try await Self.redis() else { return }
        defer { redis.shutdown() }
        let (first, second, folder) = try await Self.replicas(stateStore: redis)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.exactlyTheBudgetOfWrongPINs(first, second)
    }
}
