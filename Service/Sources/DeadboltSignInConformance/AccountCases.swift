import DeadboltSignIn

enum AccountCases {
    static let all: [SignInStoreConformance.Case] = [
        .init(name: "an account reads back by id and by email key") { subject in
            let store = subject.store
            let account = try Fixture.account("Alice.Smith@Example.COM")
            try await store.apply(.insertAccount(account))
            try expectEqual(try await store.account(id: account.id), account, "account by id")
            try expectEqual(try await store.account(emailKey: "alice.smith@example.com"), account, "account by email key")
            try expectEqual(try await store.account(emailKey: "bob@example.com"), nil, "unknown email")
            try expectEqual(try await store.account(id: try Fixture.id()), nil, "unknown id")
        },
        .init(name: "a second account with the same email key is refused as emailTaken") { subject in
            let store = subject.store
            try await store.apply(.insertAccount(try Fixture.account("alice@example.com")))
            try await expectConflict(store, [.insertAccount(try Fixture.account("ALICE@example.com"))], index: 0, reason: .emailTaken)
        },
        .init(name: "an account id inserted twice is refused as duplicate") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            try await store.apply(.insertAccount(account))
            try await expectConflict(store, [.insertAccount(try Fixture.account("bob@example.com", id: account.id))], index: 0, reason: .duplicate)
        },
        .init(name: "credential changes land only at the expected version, and raise it") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            try await store.apply(.insertAccount(account))
            try await store.apply(.setPINHash(account: account.id, hash: "$new-pin", expectedCredentialVersion: 1, at: Fixture.at(5)))
            let afterPIN = try await store.account(id: account.id)
            try expectEqual(afterPIN?.pinHash, "$new-pin", "PIN hash")
            try expectEqual(afterPIN?.credentialVersion, 2, "credential version after one change")
            try expectEqual(afterPIN?.credentialsChangedAt, Fixture.at(5), "credentials changed at")
            try await expectConflict(
                store, [.setPasswordHash(account: account.id, hash: "$stale", expectedCredentialVersion: 1, at: Fixture.at(6))],
                index: 0, reason: .credentialVersionChanged)
            try await store.apply(.setPasswordHash(account: account.id, hash: nil, expectedCredentialVersion: 2, at: Fixture.at(7)))
            let voided = try await store.account(id: account.id)
            try expectEqual(voided?.passwordHash, nil, "voided password")
            try expectEqual(voided?.credentialVersion, 3, "credential version after two changes")
            try await expectConflict(
                store, [.setPINHash(account: try Fixture.id(), hash: "$x", expectedCredentialVersion: 1, at: Fixture.at(8))],
                index: 0, reason: .credentialVersionChanged)
        },
        .init(name: "a rehash replaces only the hash it read, and keeps the version") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            try await store.apply(.insertAccount(account))
            try await store.apply(.rehashCredential(account: account.id, credential: .password, previous: "$argon2id$password", hash: "$rehashed"))
            let rehashed = try await store.account(id: account.id)
            try expectEqual(rehashed?.passwordHash, "$rehashed", "rehashed password")
            try expectEqual(rehashed?.credentialVersion, 1, "version after a rehash")
            try await expectConflict(
                store, [.rehashCredential(account: account.id, credential: .pin, previous: "$not-the-stored-one", hash: "$x")],
                index: 0, reason: .credentialVersionChanged)
        },
        .init(name: "state, phone and device revocation update the account, and need it to exist") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let device = try Fixture.device(account: account.id)
            try await store.apply(.insertAccount(account), .insertRememberedDevice(device))
            try await store.apply(
                .setAccountState(account: account.id, state: .needsPIN),
                .setPhone(account: account.id, sealedPhone: "v1.k.phone", lastFour: "1234"),
                .revokeDevices(account: account.id, at: Fixture.at(9)))
            let updated = try await store.account(id: account.id)
            try expectEqual(updated?.state, .needsPIN, "state")
            try expectEqual(updated?.sealedPhone, "v1.k.phone", "sealed phone")
            try expectEqual(updated?.phoneLastFour, "1234", "phone last four")
            try expectEqual(updated?.devicesRevokedAt, Fixture.at(9), "devices revoked at")
            try expectEqual(try await store.rememberedDevices(account: account.id), [], "devices after revocation")
            let missing: AccountID = try Fixture.id()
            try await expectConflict(store, [.setAccountState(account: missing, state: .active)], index: 0, reason: .accountMissing)
            try await expectConflict(store, [.setPhone(account: missing, sealedPhone: nil, lastFour: nil)], index: 0, reason: .accountMissing)
            try await expectConflict(store, [.revokeDevices(account: missing, at: Fixture.at(1))], index: 0, reason: .accountMissing)
            try await expectConflict(store, [.deleteAccount(missing)], index: 0, reason: .accountMissing)
        },
        .init(name: "identity proofing is stored, read back and replaced") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            try await store.apply(.insertAccount(account))
            let first = IdentityProofingRecord(
                account: account.id, method: .operatorApproval, evidenceReference: "case-1", approvedBy: "operator-a",
                verifiedAt: Fixture.at(1), sealedFacts: "v1.k.facts1")
            try await store.apply(.putIdentityProofing(first))
            try expectEqual(try await store.identityProofing(account: account.id), first, "first proofing")
            var second = first
            second.evidenceReference = "case-2"
            second.sealedFacts = "v1.k.facts2"
            second.verifiedAt = Fixture.at(2)
            try await store.apply(.putIdentityProofing(second))
            try expectEqual(try await store.identityProofing(account: account.id), second, "replaced proofing")
            try await expectConflict(
                store, [.putIdentityProofing(IdentityProofingRecord(
                    account: try Fixture.id(), method: .operatorApproval, evidenceReference: "x", approvedBy: "y",
                    verifiedAt: Fixture.at(1), sealedFacts: "z"))], index: 0, reason: .accountMissing)
        },
    ]
}
