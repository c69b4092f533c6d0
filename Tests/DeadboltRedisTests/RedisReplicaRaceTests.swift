import Deadbolt
import Testing

@testable import DeadboltRedis

/// Two replicas (two independent stores, each with its own connections) racing on one account: the server's
/// atomicity, not either process, decides who wins.
@Suite("Two replicas, one account", .serialized)
struct RedisReplicaRaceTests {
    enum Deployment: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case single, cluster
        var testDescription: String { rawValue }
    }

    /// Two stores on `deployment`, or `nil` when it is not running.
    static func replicas(_ deployment: Deployment) async throws -> (RedisStateStore, RedisStateStore)? {
        let topology =
            deployment == .single
            ? try RedisTestEnvironment.singleTopology() : try RedisTestEnvironment.clusterTopology()
        let name = deployment == .single ? "the single server" : "the cluster"
        guard let first = try await RedisTestEnvironment.reachableStore(RedisTestEnvironment.configuration(topology), name)
        else { return nil }
        guard let second = try await RedisTestEnvironment.reachableStore(RedisTestEnvironment.configuration(topology), name)
        else {
            first.shutdown()
            return nil
        }
        return (first, second)
    }

    static func account() throws -> String { "race-\(UInt64.random(in: 0...UInt64.max))" }

    /// Runs `attempts` calls of `body`, alternating between the two replicas, all at once; counts the `true`s.
    static func race(
        _ replicas: (RedisStateStore, RedisStateStore), attempts: Int,
        _ body: @escaping @Sendable (RedisStateStore) async throws -> Bool
    ) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<attempts {
                let store = index.isMultiple(of: 2) ? replicas.0 : replicas.1
                group.addTask { try await body(store) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }

    @Test("200 wrong guesses, budget 5: exactly 5 admitted", arguments: Deployment.allCases)
    func attempts(_ deployment: Deployment) async throws {
        guard let replicas = try await Self.replicas(deployment) else { return }
        defer {
            replicas.0.shutdown()
            replicas.1.shutdown()
        }
        let key = try StateKey(namespace: "lockout", scope: try Self.account(), name: "pin")
        let schedule = LockoutSchedule(
            threshold: 5, initialWait: .seconds(60), maximumWait: .seconds(600), hardLockAfter: 100,
            failureMemory: .seconds(60))
        let admitted = try await Self.race(replicas, attempts: 200) { store in
            if case .admitted = try await store.reserveAttempt(key, schedule: schedule) { return true }
            return false
        }
        #expect(admitted == 5)
        #expect(try await replicas.0.lockoutStatus(key, schedule: schedule).failures == 5)
        try await replicas.1.clearLockout(key)
    }

    @Test("200 requests, burst 5: exactly 5 tokens", arguments: Deployment.allCases)
    func tokens(_ deployment: Deployment) async throws {
        guard let replicas = try await Self.replicas(deployment) else { return }
        defer {
            replicas.0.shutdown()
            replicas.1.shutdown()
        }
        let key = try StateKey(namespace: "rate", scope: try Self.account())
        let limit = RateLimit(burst: 5, interval: .seconds(60))
        let allowed = try await Self.race(replicas, attempts: 200) { store in
            if case .allowed = try await store.acquireToken(key, limit: limit) { return true }
            return false
        }
        #expect(allowed == 5)
    }

    @Test("one TOTP step from both replicas: exactly one advance", arguments: Deployment.allCases)
    func totpStep(_ deployment: Deployment) async throws {
        guard let replicas = try await Self.replicas(deployment) else { return }
        defer {
            replicas.0.shutdown()
            replicas.1.shutdown()
        }
        let key = try StateKey(namespace: "otp-step", scope: try Self.account(), name: "totp")
        let advanced = try await Self.race(replicas, attempts: 100) { store in
            try await store.advanceCounter(key, to: 58_800_123, ttl: .seconds(90))
        }
        #expect(advanced == 1)
    }

    @Test("one single-use code from both replicas: exactly one redemption", arguments: Deployment.allCases)
    func singleUseCode(_ deployment: Deployment) async throws {
        guard let replicas = try await Self.replicas(deployment) else { return }
        defer {
            replicas.0.shutdown()
            replicas.1.shutdown()
        }
        let key = try StateKey(namespace: "code", scope: try Self.account(), name: "email")
        let digest = [UInt8](repeating: 0x42, count: 32)
        try await replicas.0.putCode(key, digest: digest, context: [7], tries: 5, ttl: .seconds(60))
        let redeemed = try await Self.race(replicas, attempts: 100) { store in
            try await store.redeemCode(key, digest: digest) == .redeemed(context: [7])
        }
        #expect(redeemed == 1)
        #expect(try await replicas.1.redeemCode(key, digest: digest) == .absent)
    }

    @Test("one recovery code from both replicas: exactly one redemption", arguments: Deployment.allCases)
    func recoveryCode(_ deployment: Deployment) async throws {
        guard let replicas = try await Self.replicas(deployment) else { return }
        defer {
            replicas.0.shutdown()
            replicas.1.shutdown()
        }
        let key = try StateKey(namespace: "recovery", scope: try Self.account())
        let codes = (1...10).map { [UInt8](repeating: UInt8($0), count: 32) }
        try await replicas.0.putCodeSet(key, digests: codes, ttl: .seconds(60))
        let redeemed = try await Self.race(replicas, attempts: 100) { store in
            try await store.redeemFromCodeSet(key, digest: codes[3]) != nil
        }
        #expect(redeemed == 1)
        #expect(try await replicas.1.codeSetCount(key) == 9)
        try await replicas.1.remove(key)
    }
}

/// Many callers on few connections: pipelined replies must reach the caller they belong to.
@Suite("Many callers, few connections")
struct RedisPipeliningTests {
    @Test("1000 concurrent callers on 2 connections each get their own answer")
    func repliesReachTheirCallers() async throws {
        var configuration = RedisTestEnvironment.configuration(try RedisTestEnvironment.singleTopology())
        configuration.connectionsPerNode = 2
        configuration.pipelineDepth = 16
        guard let store = try await RedisTestEnvironment.reachableStore(configuration, "the single server") else {
            return
        }
        try await using(store) { store in
            let run = UInt64.random(in: 0...UInt64.max)
            let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let key = try StateKey(namespace: "code", scope: "pipe-\(run)-\(index)")
                        let mine = Array(String(index).utf8)
                        try await store.putCode(key, digest: [1, 2, 3], context: mine, tries: 1, ttl: .seconds(30))
                        return try await store.redeemCode(key, digest: [1, 2, 3]) != .redeemed(context: mine)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(mismatches == 0)
        }
    }
}

/// The one-time-code verifier on two replicas sharing Redis: a TOTP code submitted to both at once is accepted once.
@Suite("Second factor across replicas")
struct RedisSecondFactorTests {
    @Test("one TOTP code sent to two replicas 50 times: accepted once, replayed 49 times")
    func totpAcrossReplicas() async throws {
        guard let replicas = try await RedisReplicaRaceTests.replicas(.single) else { return }
        defer {
            replicas.0.shutdown()
            replicas.1.shutdown()
        }
        let hashingKey = try CodeHashingKey(SecretBytes([UInt8](repeating: 0x42, count: 32)))
        let generous = LockoutSchedule(
            threshold: 100, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 100,
            failureMemory: .seconds(60))
        let verifiers = (
            OneTimeCodeVerifier(store: replicas.0, hashingKey: hashingKey, lockout: generous),
            OneTimeCodeVerifier(store: replicas.1, hashingKey: hashingKey, lockout: generous)
        )
        let totp = try TOTP(secret: try SecretBytes.random(count: 20))
        let account = "totp-\(UInt64.random(in: 0...UInt64.max))"
        let code = try totp.code(at: UInt64(SystemClock().millisecondsSinceEpoch() / 1000))
        let outcomes = try await withThrowingTaskGroup(of: OneTimeCodeOutcome.self) { group in
            for index in 0..<50 {
                let verifier = index.isMultiple(of: 2) ? verifiers.0 : verifiers.1
                group.addTask { try await verifier.verifyTOTP(code, totp: totp, account: account) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0.eventKind == .codeRedeemed }.count == 1)
        #expect(outcomes.filter { $0 == .replayed }.count == 49)
    }
}
