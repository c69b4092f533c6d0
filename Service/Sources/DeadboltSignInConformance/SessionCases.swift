import DeadboltSignIn

enum SessionCases {
    static let all: [SignInStoreConformance.Case] = [
        .init(name: "sessions read back by token digest, list newest first, touch and re-authenticate") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let older = try Fixture.session(account: account.id, created: Fixture.at(1))
            let newer = try Fixture.session(account: account.id, created: Fixture.at(2))
            try await store.apply(.insertAccount(account), .insertSession(older), .insertSession(newer))
            try expectEqual(try await store.session(tokenDigest: older.tokenDigest), older, "session by digest")
            try expectEqual(try await store.sessions(account: account.id).map(\.id), [newer.id, older.id], "sessions, newest first")
            try await store.apply(.touchSession(older.id, at: Fixture.at(100)), .reauthenticateSession(older.id, at: Fixture.at(101)))
            let touched = try await store.session(tokenDigest: older.tokenDigest)
            try expectEqual(touched?.lastSeenAt, Fixture.at(100), "last seen")
            try expectEqual(touched?.authenticatedAt, Fixture.at(101), "authenticated at")
        },
        .init(name: "ending one session, every other, or all") { subject in
            let store = subject.store
            let alice = try Fixture.account("alice@example.com")
            let bob = try Fixture.account("bob@example.com")
            let a1 = try Fixture.session(account: alice.id, created: Fixture.at(1))
            let a2 = try Fixture.session(account: alice.id, created: Fixture.at(2))
            let a3 = try Fixture.session(account: alice.id, created: Fixture.at(3))
            let b1 = try Fixture.session(account: bob.id)
            try await store.apply(.insertAccount(alice), .insertAccount(bob), .insertSession(a1), .insertSession(a2), .insertSession(a3), .insertSession(b1))
            try await expectConflict(store, [.endSession(b1.id, account: alice.id)], index: 0, reason: .sessionMissing)
            try await store.apply(.endSession(a1.id, account: alice.id))
            try expectEqual(try await store.session(tokenDigest: a1.tokenDigest), nil, "an ended session")
            try await expectConflict(store, [.touchSession(a1.id, at: Fixture.at(5))], index: 0, reason: .sessionMissing)
            try await store.apply(.endSessions(account: alice.id, except: a3.id))
            try expectEqual(try await store.sessions(account: alice.id).map(\.id), [a3.id], "after ending all but one")
            try await store.apply(.endSessions(account: alice.id, except: nil))
            try expectEqual(try await store.sessions(account: alice.id), [], "after ending all")
            try expectEqual(try await store.sessions(account: bob.id).map(\.id), [b1.id], "another account's sessions")
        },
        .init(name: "a session for a missing account is refused") { subject in
            try await expectConflict(
                subject.store, [.insertSession(try Fixture.session(account: try Fixture.id()))], index: 0, reason: .accountMissing)
        },
        .init(name: "remembered devices read back, list, touch and are forgotten one by one") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let first = try Fixture.device(account: account.id, created: Fixture.at(1))
            let second = try Fixture.device(account: account.id, created: Fixture.at(2))
            try await store.apply(.insertAccount(account), .insertRememberedDevice(first), .insertRememberedDevice(second))
            try expectEqual(try await store.rememberedDevice(tokenDigest: first.tokenDigest), first, "device by digest")
            try expectEqual(try await store.rememberedDevices(account: account.id).map(\.id), [second.id, first.id], "devices, newest first")
            try await store.apply(.touchRememberedDevice(first.id, at: Fixture.at(50)))
            try expectEqual(try await store.rememberedDevice(tokenDigest: first.tokenDigest)?.lastUsedAt, Fixture.at(50), "last used")
            try await store.apply(.deleteRememberedDevice(first.id, account: account.id))
            try expectEqual(try await store.rememberedDevice(tokenDigest: first.tokenDigest), nil, "a forgotten device")
            try await expectConflict(store, [.deleteRememberedDevice(first.id, account: account.id)], index: 0, reason: .deviceMissing)
            try await expectConflict(store, [.touchRememberedDevice(first.id, at: Fixture.at(60))], index: 0, reason: .deviceMissing)
        },
        .init(name: "a network is recorded once, keeping its first sighting") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let network = NetworkPrefix(stored: "198.51.0.0/16")
            try await store.apply(.insertAccount(account))
            try expectEqual(try await store.knownNetwork(account: account.id, network: network), nil, "an unseen network")
            try await store.apply(.recordNetwork(account: account.id, network: network, at: Fixture.at(1)))
            try await store.apply(.recordNetwork(account: account.id, network: network, at: Fixture.at(9)))
            try expectEqual(
                try await store.knownNetwork(account: account.id, network: network),
                KnownNetworkRecord(account: account.id, network: network, firstSeenAt: Fixture.at(1), lastSeenAt: Fixture.at(9)),
                "the network after two sightings")
            try await expectConflict(
                store, [.recordNetwork(account: try Fixture.id(), network: network, at: Fixture.at(1))], index: 0, reason: .accountMissing)
        },
    ]
}
