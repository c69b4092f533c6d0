import DeadboltSignIn

enum OutboxCases {
    static let lease = Duration.seconds(60)

    static let all: [SignInStoreConformance.Case] = [
        .init(name: "a claim takes due messages, oldest due first, and leases them") { subject in
            let store = subject.store
            let early = try Fixture.message(account: nil, notBefore: Fixture.at(1))
            let later = try Fixture.message(account: nil, notBefore: Fixture.at(2))
            let future = try Fixture.message(account: nil, notBefore: Fixture.at(500))
            try await store.apply(.enqueueMessage(later), .enqueueMessage(future), .enqueueMessage(early))
            let claimed = try await store.claimMessages(worker: "w1", now: Fixture.at(10), lease: lease, limit: 10)
            try expectEqual(claimed.map(\.id), [early.id, later.id], "claimed messages")
            try expect(claimed.allSatisfy { $0.leaseOwner == "w1" && $0.leaseExpiresAt == Fixture.at(70) && $0.attempts == 1 },
                "claimed messages carry the lease and one attempt")
            try expectEqual(
                try await store.claimMessages(worker: "w2", now: Fixture.at(11), lease: lease, limit: 10), [],
                "a second worker while the lease lasts")
            let reclaimed = try await store.claimMessages(worker: "w2", now: Fixture.at(71), lease: lease, limit: 1)
            try expectEqual(reclaimed.map(\.id), [early.id], "a message whose lease ended")
            try expectEqual(reclaimed.first?.attempts, 2, "attempts after a second claim")
            try expectEqual(try await store.markSent(early.id, worker: "w1", now: Fixture.at(72)), false, "a lost lease cannot mark sent")
        },
        .init(name: "two workers claiming at once never get the same message") { subject in
            let store = subject.store
            var changes: [Change] = []
            for _ in 0..<40 { changes.append(.enqueueMessage(try Fixture.message(account: nil, notBefore: Fixture.t0))) }
            try await store.apply(ChangeSet(changes))
            let batches = try await withThrowingTaskGroup(of: [MessageID].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [MessageID] = []
                        for _ in 0..<5 {
                            mine += try await store.claimMessages(worker: "w\(worker)", now: Fixture.at(1), lease: lease, limit: 3).map(\.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [[MessageID]]()) { $0.append($1) }
            }
            let all = batches.flatMap { $0 }
            try expectEqual(Set(all).count, all.count, "distinct claims")
            try expectEqual(all.count, 40, "every message claimed once")
        },
        .init(name: "sent erases a code message's body; reschedule and give up follow the lease") { subject in
            let store = subject.store
            let code = try Fixture.message(account: nil, carriesCode: true, expiresAt: Fixture.at(600))
            let notice = try Fixture.message(account: nil)
            try await store.apply(.enqueueMessage(code), .enqueueMessage(notice))
            _ = try await store.claimMessages(worker: "w1", now: Fixture.at(1), lease: lease, limit: 10)
            try expectEqual(try await store.markSent(code.id, worker: "w1", now: Fixture.at(2)), true, "mark sent")
            let sent = try await store.message(id: code.id)
            try expectEqual(sent?.status, .sent, "status")
            try expectEqual(sent?.body, "", "a delivered code message's body")
            try expectEqual(sent?.sentAt, Fixture.at(2), "sent at")
            try expectEqual(try await store.reschedule(notice.id, worker: "w2", notBefore: Fixture.at(30), error: "x", giveUp: false), false,
                "another worker cannot reschedule")
            try expectEqual(try await store.reschedule(notice.id, worker: "w1", notBefore: Fixture.at(30), error: "timeout", giveUp: false), true,
                "reschedule")
            let waiting = try await store.message(id: notice.id)
            try expectEqual(waiting?.status, .pending, "status after a retry is scheduled")
            try expectEqual(waiting?.notBefore, Fixture.at(30), "not before")
            try expectEqual(waiting?.lastError, "timeout", "last error")
            try expectEqual(waiting?.leaseOwner, nil, "lease released")
            try expectEqual(try await store.claimMessages(worker: "w1", now: Fixture.at(29), lease: lease, limit: 10), [], "before the retry time")
            _ = try await store.claimMessages(worker: "w1", now: Fixture.at(30), lease: lease, limit: 10)
            try expectEqual(try await store.reschedule(notice.id, worker: "w1", notBefore: Fixture.at(90), error: "refused", giveUp: true), true,
                "give up")
            try expectEqual(try await store.message(id: notice.id)?.status, .failed, "status after giving up")
        },
        .init(name: "expired code messages are failed and erased; cancelled ones are never claimed") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let code = try Fixture.message(account: account.id, carriesCode: true, notBefore: Fixture.t0, expiresAt: Fixture.at(600))
            let scheduled = try Fixture.message(account: account.id, notBefore: Fixture.at(300), cancelKey: "flow-1")
            let other = try Fixture.message(account: account.id, notBefore: Fixture.at(300), cancelKey: "flow-2")
            try await store.apply(.insertAccount(account), .enqueueMessage(code), .enqueueMessage(scheduled), .enqueueMessage(other))
            try await store.apply(.cancelMessages(account: account.id, cancelKey: "flow-1"))
            try expectEqual(try await store.message(id: scheduled.id)?.status, .cancelled, "a cancelled message")
            try expectEqual(try await store.expireMessages(now: Fixture.at(599)), 0, "nothing expired yet")
            try expectEqual(try await store.claimMessages(worker: "w", now: Fixture.at(700), lease: lease, limit: 10).map(\.id), [other.id],
                "only the live, unexpired message")
            try expectEqual(try await store.expireMessages(now: Fixture.at(700)), 1, "expired code messages")
            let expired = try await store.message(id: code.id)
            try expectEqual(expired?.status, .failed, "an expired code message's status")
            try expectEqual(expired?.body, "", "an expired code message's body")
        },
        .init(name: "a claim limit out of range is refused") { subject in
            try await expectInvalid("limit 0") { _ = try await subject.store.claimMessages(worker: "w", now: Fixture.t0, lease: lease, limit: 0) }
        },
    ]
}
