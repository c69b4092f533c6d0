import Deadbolt
import DeadboltSignIn
import PostgresNIO
import Testing

@testable import DeadboltPostgres

/// What the conformance suite cannot see from one store: two stores (two replicas' pools) racing on one database,
/// a lock held past the timeout, and errors that name no stored value.
@Suite("Postgres store")
struct PostgresStoreTests {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_735_689_600_000)

    static func digest() throws -> TokenDigest {
        guard let digest = TokenDigest(bytes: try SecureRandom.bytes(count: 32)) else {
            throw SignInStoreError.invalid("a 32-byte digest was refused")
        }
        return digest
    }

    static func step(account: AccountID) throws -> StepRecord {
        StepRecord(
            digest: try digest(), flow: try FlowID.random(), flowKind: .signIn, step: .pin, account: account,
            emailKey: "racer@example.com", previous: nil, browser: try digest(), address: "192.0.2.1", createdAt: t0,
            expiresAt: t0.adding(.seconds(600)), consumedAt: nil, payload: "{}")
    }

    static func message(notBefore: Timestamp) throws -> OutboxMessage {
        OutboxMessage(
            id: try MessageID.random(), account: nil, channel: .email, body: "{}", isSealed: false, carriesCode: false,
            status: .pending, createdAt: t0, notBefore: notBefore, expiresAt: nil, attempts: 0, leaseOwner: nil,
            leaseExpiresAt: nil, cancelKey: nil, lastError: nil, sentAt: nil)
    }

    @Test("two stores consuming one step token at once, 16 times over: exactly one change set commits")
    func oneStepOneWinner() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            let replicas = [try await stores.start(configuration), try await stores.start(configuration)]
            let account = try PostgresTestEnvironment.account("racer@example.com")
            try await replicas[0].apply(ChangeSet([.insertAccount(account)]))
            let step = try Self.step(account: account.id)
            try await replicas[0].apply(ChangeSet([.insertStep(step)]))
            // Each contender consumes the token and writes what a PIN step writes, so a lost race must roll back
            // more than the consume.
            let outcomes = try await withThrowingTaskGroup(of: SignInStoreError?.self) { group in
                for contender in 0..<16 {
                    group.addTask {
                        let changes = ChangeSet([
                            .consumeStep(step.digest, now: Self.t0.adding(.seconds(1))),
                            .setAccountState(account: account.id, state: .active),
                            .insertSession(
                                SessionRecord(
                                    id: try SessionID.random(), tokenDigest: try Self.digest(), account: account.id, access: .full,
                                    authenticatedAt: Self.t0, createdAt: Self.t0, lastSeenAt: Self.t0,
                                    expiresAt: Self.t0.adding(.seconds(3600)), deviceLabel: "replica \(contender % 2)",
                                    network: nil, device: nil)),
                        ])
                        do {
                            try await replicas[contender % 2].apply(changes)
                            return nil
                        } catch let error as SignInStoreError {
                            return error
                        }
                    }
                }
                return try await group.reduce(into: [SignInStoreError?]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1)
            #expect(outcomes.compactMap { $0 } == Array(repeating: .conflict(index: 0, reason: .stepUnavailable), count: 15))
            #expect(try await replicas[1].sessions(account: account.id).count == 1)
        }
    }

    @Test("two stores claiming from one outbox at once never hold one message twice")
    func claimsAcrossReplicas() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            let replicas = [try await stores.start(configuration), try await stores.start(configuration)]
            let messages = try (0..<60).map { _ in try Self.message(notBefore: Self.t0) }
            try await replicas[0].apply(ChangeSet(messages.map { .enqueueMessage($0) }))
            let claims = try await withThrowingTaskGroup(of: [MessageID].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [MessageID] = []
                        for _ in 0..<6 {
                            mine += try await replicas[worker % 2].claimMessages(
                                worker: "worker-\(worker)", now: Self.t0.adding(.seconds(1)), lease: .seconds(60), limit: 4
                            ).map(\.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [MessageID]()) { $0 += $1 }
            }
            #expect(claims.count == 60)
            #expect(Set(claims) == Set(messages.map(\.id)))
        }
    }

    @Test("a change set blocked behind another transaction's row lock fails as unavailable at the timeout")
    func lockedRowTimesOut() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            var short = configuration
            short.operationTimeout = .seconds(1)
            let store = try await stores.start(short)
            let account = try PostgresTestEnvironment.account("locked@example.com")
            try await store.apply(ChangeSet([.insertAccount(account)]))
            let holder = try await stores.start(configuration)
            // Another session holds the account's row for longer than the store waits.
            let held = Task {
                try await holder.executor.withConnection { connection in
                    try await connection.query("BEGIN", logger: holder.executor.logger)
                    try await connection.query(
                        "SELECT 1 FROM accounts WHERE id = \(account.id.rawValue) FOR UPDATE", logger: holder.executor.logger)
                    try await Task.sleep(for: .seconds(3))
                    try await connection.query("ROLLBACK", logger: holder.executor.logger)
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            await #expect(throws: SignInStoreError.self) {
                try await store.apply(ChangeSet([.setAccountState(account: account.id, state: .active)]))
            }
            try await held.value
            try await store.apply(ChangeSet([.setAccountState(account: account.id, state: .active)]))
            #expect(try await store.account(id: account.id)?.state == .active)
        }
    }

    @Test("text PostgreSQL cannot hold (NUL) is refused as invalid input, not reported as a database failure")
    func nulIsInvalid() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            let store = try await stores.start(configuration)
            let account = try PostgresTestEnvironment.account("nul@example.com")
            try await store.apply(ChangeSet([.insertAccount(account)]))
            let session = SessionRecord(
                id: try SessionID.random(), tokenDigest: try Self.digest(), account: account.id, access: .full,
                authenticatedAt: Self.t0, createdAt: Self.t0, lastSeenAt: Self.t0, expiresAt: Self.t0.adding(.seconds(60)),
                deviceLabel: "evil\0label", network: nil, device: nil)
            await #expect {
                try await store.apply(ChangeSet([.insertSession(session)]))
            } throws: { error in
                guard case .invalid = error as? SignInStoreError else { return false }
                return true
            }
            #expect(try await store.account(emailKey: "nul\0@example.com") == nil)
        }
    }

    @Test("a stored value out of its domain is corrupt, naming the column and never the value")
    func corruptNamesColumnOnly() async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            let store = try await stores.start(configuration)
            let account = try PostgresTestEnvironment.account("corrupt@example.com")
            try await store.apply(ChangeSet([.insertAccount(account)]))
            _ = try await store.executor.withConnection { connection in
                try await connection.query(
                    "UPDATE accounts SET state = 'secret-looking-value' WHERE id = \(account.id.rawValue)",
                    logger: store.executor.logger)
            }
            do {
                _ = try await store.account(id: account.id)
                Issue.record("a corrupt row was read")
            } catch let error as SignInStoreError {
                guard case .corrupt(let reason) = error else {
                    Issue.record("expected corrupt, got \(error)")
                    return
                }
                #expect(reason.contains("state"))
                #expect(!reason.contains("secret-looking-value"))
            }
        }
    }
}
