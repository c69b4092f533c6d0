import DeadboltSignIn

func expect(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) throws {
    guard condition else { throw ConformanceFailure(message(), file: file, line: line) }
}

func expectEqual<T: Equatable>(_ found: T, _ expected: T, _ what: String, file: StaticString = #fileID, line: UInt = #line) throws {
    guard found == expected else {
        throw ConformanceFailure("\(what): expected \(fields(expected)), found \(fields(found))", file: file, line: line)
    }
}

/// Every field of `value` (records print redacted; a failing case needs to see which field differs).
private func fields(_ value: some Any) -> String {
    var text = ""
    dump(value, to: &text)
    return text
}

/// Applies `changes` and expects the conflict `reason` at `index`.
func expectConflict(
    _ store: any SignInStore, _ changes: [Change], index: Int, reason: ChangeConflict, file: StaticString = #fileID,
    line: UInt = #line
) async throws {
    do {
        try await store.apply(ChangeSet(changes))
    } catch let error as SignInStoreError {
        guard case .conflict(index, reason) = error else {
            throw ConformanceFailure("expected conflict \(reason) at change \(index), got \(error)", file: file, line: line)
        }
        return
    }
    throw ConformanceFailure("expected conflict \(reason) at change \(index), but the set was applied", file: file, line: line)
}

/// Expects `body` to throw ``SignInStoreError/invalid(_:)``.
func expectInvalid(_ what: String, file: StaticString = #fileID, line: UInt = #line, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as SignInStoreError {
        guard case .invalid = error else {
            throw ConformanceFailure("\(what): expected an invalid-request error, got \(error)", file: file, line: line)
        }
        return
    }
    throw ConformanceFailure("\(what): expected an invalid-request error, but it was accepted", file: file, line: line)
}

extension SignInStore {
    func apply(_ changes: Change...) async throws {
        try await apply(ChangeSet(changes))
    }
}
