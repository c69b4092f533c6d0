import DeadboltSignIn

enum StepCases {
    static let all: [SignInStoreConformance.Case] = [
        .init(name: "a step token reads back and is consumed once") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let step = try Fixture.step(account: account.id)
            try await store.apply(.insertAccount(account), .insertStep(step))
            try expectEqual(try await store.step(digest: step.digest), step, "step as inserted")
            try await store.apply(.consumeStep(step.digest, now: Fixture.at(10)))
            try expectEqual(try await store.step(digest: step.digest)?.consumedAt, Fixture.at(10), "consumed at")
            try await expectConflict(store, [.consumeStep(step.digest, now: Fixture.at(11))], index: 0, reason: .stepUnavailable)
        },
        .init(name: "an expired or unknown step token cannot be consumed") { subject in
            let store = subject.store
            let step = try Fixture.step(account: nil, lifetime: .seconds(600))
            try await store.apply(.insertStep(step))
            try await expectConflict(store, [.consumeStep(step.digest, now: Fixture.at(600))], index: 0, reason: .stepUnavailable)
            try await expectConflict(store, [.consumeStep(try Fixture.digest(), now: Fixture.at(1))], index: 0, reason: .stepUnavailable)
            try expectEqual(try await store.step(digest: step.digest)?.consumedAt, nil, "an expired step stays unconsumed")
        },
        .init(name: "a step digest inserted twice is refused as duplicate") { subject in
            let store = subject.store
            let step = try Fixture.step(account: nil)
            try await store.apply(.insertStep(step))
            try await expectConflict(store, [.insertStep(step)], index: 0, reason: .duplicate)
        },
        .init(name: "of many change sets consuming one step token at once, exactly one wins") { subject in
            let store = subject.store
            let account = try Fixture.account("alice@example.com")
            let step = try Fixture.step(account: account.id)
            try await store.apply(.insertAccount(account), .insertStep(step))
            let contenders = 8
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<contenders {
                    group.addTask {
                        do {
                            let session = try Fixture.session(account: account.id)
                            try await store.apply(.consumeStep(step.digest, now: Fixture.at(1)), .insertSession(session))
                            return true
                        } catch SignInStoreError.conflict(0, .stepUnavailable) {
                            return false
                        } catch {
                            throw ConformanceFailure("contender \(index) failed with \(error)")
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            try expectEqual(outcomes.filter { $0 }.count, 1, "winners")
            try expectEqual(try await store.sessions(account: account.id).count, 1, "sessions created by the winners")
        },
        .init(name: "a payload over the bound is refused") { subject in
            var step = try Fixture.step(account: nil)
            step.payload = String(repeating: "x", count: SignInStoreBounds.maximumPayloadLength + 1)
            try await expectInvalid("an oversized payload") { try await subject.store.apply(.insertStep(step)) }
            try expectEqual(try await subject.store.step(digest: step.digest), nil, "the refused step")
        },
    ]
}
