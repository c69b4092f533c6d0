import DeadboltSignIn

enum FactorCases {
    static let all: [SignInStoreConformance.Case] = [
        .init(name: "authenticators are added, listed oldest first and removed") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let first = AuthenticatorRecord(id: try Fixture.id(), account: account.id, sealedSecret: "v1.k.a", label: "Phone", createdAt: Fixture.at(1))
            let second = AuthenticatorRecord(id: try Fixture.id(), account: account.id, sealedSecret: "v1.k.b", label: "Tablet", createdAt: Fixture.at(2))
            try await store.apply(.insertAccount(account), .insertAuthenticator(first), .insertAuthenticator(second))
            try expectEqual(try await store.authenticators(account: account.id), [first, second], "authenticators")
            try await store.apply(.deleteAuthenticator(first.id, account: account.id))
            try expectEqual(try await store.authenticators(account: account.id), [second], "after removing one")
            try await expectConflict(store, [.deleteAuthenticator(first.id, account: account.id)], index: 0, reason: .authenticatorMissing)
            try await expectConflict(store, [.insertAuthenticator(second)], index: 0, reason: .duplicate)
        },
        .init(name: "recovery codes are replaced as a set and each is consumed once") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            try await store.apply(.insertAccount(account), .replaceRecoveryCodes(account: account.id, digests: ["a1", "a2", "a3"], at: Fixture.t0))
            try expectEqual(try await store.recoveryCodeDigests(account: account.id).sorted(), ["a1", "a2", "a3"], "first set")
            try await store.apply(.consumeRecoveryCode(account: account.id, digest: "a2"))
            try await expectConflict(store, [.consumeRecoveryCode(account: account.id, digest: "a2")], index: 0, reason: .recoveryCodeMissing)
            try await store.apply(.replaceRecoveryCodes(account: account.id, digests: ["b1", "b2"], at: Fixture.at(1)))
            try expectEqual(try await store.recoveryCodeDigests(account: account.id).sorted(), ["b1", "b2"], "the new set voids the old")
            try await expectConflict(store, [.consumeRecoveryCode(account: account.id, digest: "a1")], index: 0, reason: .recoveryCodeMissing)
            try await store.apply(.replaceRecoveryCodes(account: account.id, digests: [], at: Fixture.at(2)))
            try expectEqual(try await store.recoveryCodeDigests(account: account.id), [], "an empty set removes every code")
        },
        .init(name: "of many change sets consuming one recovery code at once, exactly one wins") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            try await store.apply(.insertAccount(account), .replaceRecoveryCodes(account: account.id, digests: ["c1"], at: Fixture.t0))
            let winners = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            try await store.apply(.consumeRecoveryCode(account: account.id, digest: "c1"))
                            return 1
                        } catch SignInStoreError.conflict(0, .recoveryCodeMissing) {
                            return 0
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            try expectEqual(winners, 1, "winners")
        },
    ]
}
