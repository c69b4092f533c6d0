import DeadboltSignIn

/// A change set is all or nothing: a failed precondition or a fault in the middle leaves everything as before.
enum AtomicityCases {
    /// Every row a step might touch, read back, to compare before and after.
    struct Snapshot: Equatable {
        var account: AccountRecord?
        var step: StepRecord?
        var sessions: [SessionRecord]
        var devices: [RememberedDeviceRecord]
        var activity: [ActivityRecord]
        var message: OutboxMessage?
        var codes: [String]

        init(_ store: any SignInStore, _ account: AccountID, _ step: TokenDigest, _ message: MessageID) async throws {
            self.account = try await store.account(id: account)
            self.step = try await store.step(digest: step)
            sessions = try await store.sessions(account: account)
            devices = try await store.rememberedDevices(account: account)
            activity = try await store.activity(account: account, after: nil, limit: 100).entries
            self.message = try await store.message(id: message)
            codes = try await store.recoveryCodeDigests(account: account).sorted()
        }
    }

    /// An account with a step, a session, a device and recovery codes; and a sign-in's worth of changes.
    static func prepare(_ store: any SignInStore) async throws -> (AccountRecord, StepRecord, MessageID, [Change]) {
        let account = try Fixture.account("alice@example.com")
        let step = try Fixture.step(account: account.id)
        try await store.apply(
            .insertAccount(account), .insertStep(step), .insertSession(try Fixture.session(account: account.id)),
            .insertRememberedDevice(try Fixture.device(account: account.id)),
            .replaceRecoveryCodes(account: account.id, digests: ["aa", "bb"], at: Fixture.t0))
        let message = try Fixture.message(account: account.id)
        let changes: [Change] = [
            .consumeStep(step.digest, now: Fixture.at(1)),
            .setPINHash(account: account.id, hash: "$changed", expectedCredentialVersion: 1, at: Fixture.at(1)),
            .endSessions(account: account.id, except: nil),
            .revokeDevices(account: account.id, at: Fixture.at(1)),
            .consumeRecoveryCode(account: account.id, digest: "aa"),
            .appendActivity(try Fixture.activity(account: account.id, kind: .pinChanged, at: Fixture.at(1))),
            .enqueueMessage(message),
        ]
        return (account, step, message.id, changes)
    }

    static let all: [SignInStoreConformance.Case] = [
        .init(name: "a failed precondition at the end rolls back every earlier change") { subject in
            let store = subject.store
            let (account, step, message, changes) = try await prepare(store)
            let before = try await Snapshot(store, account.id, step.digest, message)
            let failing = changes + [.setPasswordHash(account: account.id, hash: "$x", expectedCredentialVersion: 99, at: Fixture.at(1))]
            try await expectConflict(store, failing, index: changes.count, reason: .credentialVersionChanged)
            try expectEqual(try await Snapshot(store, account.id, step.digest, message), before, "state after a failed set")
        },
        .init(name: "a fault in the middle of a change set leaves the state exactly as before") { subject in
            let store = subject.store
            let (account, step, message, changes) = try await prepare(store)
            let before = try await Snapshot(store, account.id, step.digest, message)
            for appliedBeforeFault in [0, 1, 3, changes.count - 1] {
                subject.injector.failNextChangeSet(afterChanges: appliedBeforeFault)
                do {
                    try await store.apply(ChangeSet(changes))
                    throw ConformanceFailure("the set applied despite a fault after \(appliedBeforeFault) changes")
                } catch SignInStoreError.unavailable {
                    // The injected fault, as a driver error would surface.
                }
                try expectEqual(
                    try await Snapshot(store, account.id, step.digest, message), before,
                    "state after a fault after \(appliedBeforeFault) changes")
            }
            try await store.apply(ChangeSet(changes))
            let after = try await Snapshot(store, account.id, step.digest, message)
            try expect(after != before, "the same set applies once the fault is gone")
            try expectEqual(after.account?.pinHash, "$changed", "PIN hash after the set")
            try expectEqual(after.codes, ["bb"], "recovery codes after the set")
        },
        .init(name: "a change set over the bound is refused whole") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            var changes: [Change] = [.insertAccount(account)]
            for second in 0..<ChangeSet.maximumCount {
                changes.append(.appendActivity(try Fixture.activity(account: account.id, at: Fixture.at(Int64(second)))))
            }
            try await expectInvalid("a set of \(changes.count) changes") { try await store.apply(ChangeSet(changes)) }
            try expectEqual(try await store.account(id: account.id), nil, "the account of the refused set")
        },
    ]
}
