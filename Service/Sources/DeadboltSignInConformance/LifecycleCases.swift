import DeadboltSignIn

enum LifecycleCases {
    static let all: [SignInStoreConformance.Case] = [
        .init(name: "deleting an account removes every row that hangs from it, and only those") { subject in
            let store = subject.store
            let alice = try Fixture.account("alice@example.com")
            let bob = try Fixture.account("bob@example.com")
            let step = try Fixture.step(account: alice.id)
            let session = try Fixture.session(account: alice.id)
            let device = try Fixture.device(account: alice.id)
            let pending = try Fixture.message(account: alice.id)
            let bobSession = try Fixture.session(account: bob.id)
            let network = NetworkPrefix(stored: "203.0.0.0/16")
            try await store.apply(
                .insertAccount(alice), .insertAccount(bob), .insertStep(step), .insertSession(session), .insertRememberedDevice(device),
                .recordNetwork(account: alice.id, network: network, at: Fixture.t0),
                .insertAuthenticator(AuthenticatorRecord(id: try Fixture.id(), account: alice.id, sealedSecret: "v1.k.s", label: "Phone", createdAt: Fixture.t0)),
                .replaceRecoveryCodes(account: alice.id, digests: ["d1"], at: Fixture.t0),
                .putIdentityProofing(IdentityProofingRecord(
                    account: alice.id, method: .operatorApproval, evidenceReference: "c", approvedBy: "o", verifiedAt: Fixture.t0, sealedFacts: "f")),
                .appendActivity(try Fixture.activity(account: alice.id, at: Fixture.t0)),
                .enqueueMessage(pending), .insertSession(bobSession))
            let farewell = try Fixture.message(account: nil)
            try await store.apply(.deleteAccount(alice.id), .enqueueMessage(farewell))
            try expectEqual(try await store.account(id: alice.id), nil, "the account")
            try expectEqual(try await store.account(emailKey: "alice@example.com"), nil, "the account by email")
            try expectEqual(try await store.step(digest: step.digest), nil, "its step")
            try expectEqual(try await store.session(tokenDigest: session.tokenDigest), nil, "its session")
            try expectEqual(try await store.rememberedDevice(tokenDigest: device.tokenDigest), nil, "its device")
            try expectEqual(try await store.knownNetwork(account: alice.id, network: network), nil, "its network")
            try expectEqual(try await store.authenticators(account: alice.id), [], "its authenticators")
            try expectEqual(try await store.recoveryCodeDigests(account: alice.id), [], "its recovery codes")
            try expectEqual(try await store.identityProofing(account: alice.id), nil, "its proofing")
            try expectEqual(try await store.activity(account: alice.id, after: nil, limit: 10).entries, [], "its activity")
            try expectEqual(try await store.message(id: pending.id), nil, "its pending message")
            try expectEqual(try await store.message(id: farewell.id)?.status, .pending, "the message written after the deletion")
            try expectEqual(try await store.session(tokenDigest: bobSession.tokenDigest), bobSession, "another account's session")
            // The email is free again.
            try await store.apply(.insertAccount(try Fixture.account("alice@example.com")))
        },
        .init(name: "purge removes what expired, idled or aged out, and keeps the rest") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let oldStep = try Fixture.step(account: account.id, created: Fixture.at(0), lifetime: .seconds(600))
            let liveStep = try Fixture.step(account: account.id, created: Fixture.at(3000), lifetime: .seconds(600))
            let expiredSession = try Fixture.session(account: account.id, created: Fixture.at(0), lifetime: .seconds(3000))
            var idleSession = try Fixture.session(account: account.id, created: Fixture.at(0), lifetime: .seconds(43_200))
            idleSession.lastSeenAt = Fixture.at(100)
            var liveSession = try Fixture.session(account: account.id, created: Fixture.at(0), lifetime: .seconds(43_200))
            liveSession.lastSeenAt = Fixture.at(3100)
            let oldDevice = try Fixture.device(account: account.id, created: Fixture.at(0), lifetime: .seconds(1000))
            let liveDevice = try Fixture.device(account: account.id, created: Fixture.at(0), lifetime: .seconds(100_000))
            let oldEntry = try Fixture.activity(account: account.id, at: Fixture.at(10))
            let newEntry = try Fixture.activity(account: account.id, at: Fixture.at(2000))
            let sentMessage = try Fixture.message(account: nil, notBefore: Fixture.at(0))
            let pendingMessage = try Fixture.message(account: nil, notBefore: Fixture.at(5000))
            try await store.apply(
                .insertAccount(account), .insertStep(oldStep), .insertStep(liveStep), .insertSession(expiredSession),
                .insertSession(idleSession), .insertSession(liveSession), .insertRememberedDevice(oldDevice),
                .insertRememberedDevice(liveDevice), .appendActivity(oldEntry), .appendActivity(newEntry),
                .enqueueMessage(sentMessage), .enqueueMessage(pendingMessage))
            _ = try await store.claimMessages(worker: "w", now: Fixture.at(1), lease: .seconds(60), limit: 1)
            _ = try await store.markSent(sentMessage.id, worker: "w", now: Fixture.at(2))
            let counts = try await store.purge(
                now: Fixture.at(3200), idleBefore: Fixture.at(3200 - 1800), activityBefore: Fixture.at(1000),
                messagesBefore: Fixture.at(1000))
            try expectEqual(counts, PurgeCounts(steps: 1, sessions: 2, devices: 1, activity: 1, messages: 1), "purged rows")
            try expectEqual(try await store.step(digest: liveStep.digest), liveStep, "the live step")
            try expectEqual(try await store.sessions(account: account.id).map(\.id), [liveSession.id], "the live session")
            try expectEqual(try await store.rememberedDevices(account: account.id).map(\.id), [liveDevice.id], "the live device")
            try expectEqual(try await store.activity(account: account.id, after: nil, limit: 10).entries, [newEntry], "recent activity")
            try expectEqual(try await store.message(id: pendingMessage.id)?.status, .pending, "the pending message")
        },
    ]
}
