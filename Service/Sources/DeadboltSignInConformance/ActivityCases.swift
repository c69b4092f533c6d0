import DeadboltSignIn

enum ActivityCases {
    static let all: [SignInStoreConformance.Case] = [
        .init(name: "activity pages go newest first, ties by id, across pages without gaps or repeats") { subject in
            let store = subject.store
            let alice = try Fixture.account("alice@example.com")
            let bob = try Fixture.account("bob@example.com")
            var changes: [Change] = [.insertAccount(alice), .insertAccount(bob)]
            var entries: [ActivityRecord] = []
            for index in 0..<25 {
                // Pairs share a millisecond, so the id must break ties.
                let entry = try Fixture.activity(account: alice.id, at: Fixture.at(Int64(index / 2)))
                entries.append(entry)
                changes.append(.appendActivity(entry))
            }
            changes.append(.appendActivity(try Fixture.activity(account: bob.id, at: Fixture.at(100))))
            try await store.apply(ChangeSet(changes))
            let expected = entries.sorted {
                $0.at != $1.at ? $0.at > $1.at : $0.id.rawValue > $1.id.rawValue
            }
            var seen: [ActivityRecord] = []
            var cursor: ActivityCursor?
            repeat {
                let page = try await store.activity(account: alice.id, after: cursor, limit: 10)
                try expect(page.entries.count <= 10, "a page holds at most its limit")
                seen += page.entries
                cursor = page.next
                try expect(seen.count <= 25, "pages repeat entries")
            } while cursor != nil
            try expectEqual(seen, expected, "every entry, newest first")
        },
        .init(name: "an activity limit out of range is refused") { subject in
            let account = try Fixture.account("alice@example.com")
            try await subject.store.apply(.insertAccount(account))
            try await expectInvalid("limit 0") { _ = try await subject.store.activity(account: account.id, after: nil, limit: 0) }
            try await expectInvalid("limit 101") {
                _ = try await subject.store.activity(account: account.id, after: nil, limit: SignInStoreBounds.maximumActivityPage + 1)
            }
        },
        .init(name: "activity for a missing account is refused") { subject in
            try await expectConflict(
                subject.store, [.appendActivity(try Fixture.activity(account: try Fixture.id(), at: Fixture.t0))], index: 0,
                reason: .accountMissing)
        },
    ]
}
