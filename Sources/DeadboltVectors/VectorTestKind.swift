/// One kind of known-answer test, named by the `type` of the test groups that hold it (Wycheproof's layout).
///
/// To add a kind: write a type conforming to this protocol in its own file and list it in
/// ``VectorRunner/standardKinds``.
public protocol VectorTestKind: Sendable {
    /// The group `type` this kind runs, e.g. `"MacTest"`.
    var groupType: String { get }

    /// Runs one test of a group of this kind against Deadbolt and says whether Deadbolt's answer agrees with the
    /// test's `result`.
    ///
    /// - Parameters:
    ///   - test: the test object (`tcId`, `result`, and the kind's own fields).
    ///   - group: the group object holding it (for group fields such as `keySize`).
    ///   - file: the file object holding the group (for file fields such as `algorithm`).
    /// - Returns: ``VectorVerdict/passed`` or ``VectorVerdict/failed(_:)`` with a reason that never prints a
    ///   secret beyond what the vector file itself holds.
    /// - Throws: ``VectorError`` when the test itself is malformed (a missing field, bad hex).
    func run(test: VectorObject, group: VectorObject, file: VectorObject) async throws -> VectorVerdict
}

/// A test's expected outcome: Wycheproof's `result` field.
public enum ExpectedResult: String, Sendable {
    /// Deadbolt must accept and produce exactly the expected answer.
    case valid
    /// Deadbolt must refuse.
    case invalid
    /// Deadbolt may refuse; if it accepts, the answer must be the expected one.
    case acceptable

    /// Reads the `result` field of a test.
    public init(of test: VectorObject) throws {
        guard let value = ExpectedResult(rawValue: try test.string("result")) else {
            throw VectorError.badField("result", expected: "valid, invalid or acceptable")
        }
        self = value
    }

    /// The verdict when Deadbolt answered: `accepted` says whether it accepted and its answer equalled the expected
    /// one; `refused` says it refused outright (a typed error or a mismatch).
    public func verdict(acceptedMatching: Bool, refused: Bool) -> VectorVerdict {
        switch self {
        case .valid:
            return acceptedMatching ? .passed : .failed(refused ? "refused a valid test" : "wrong answer")
        case .invalid:
            return acceptedMatching ? .failed("accepted an invalid test") : .passed
        case .acceptable:
            return acceptedMatching || refused ? .passed : .failed("accepted with a wrong answer")
        }
    }
}

/// The outcome of one test.
public enum VectorVerdict: Sendable, Equatable {
    case passed
    case failed(String)
}

/// Why a vector file or a test in it could not be run.
public enum VectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not JSON in Wycheproof's layout.
    case malformedFile(path: String, reason: String)
    /// A group's `type` names no test kind Deadbolt knows: reported, never skipped.
    case unknownTestType(String)
    /// A field is missing or of the wrong kind.
    case badField(String, expected: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .malformedFile(let path, let reason): "\(path): not a vector file: \(reason)"
        case .unknownTestType(let type): "unknown test type '\(type)'"
        case .badField(let name, let expected): "field '\(name)' is missing or not \(expected)"
        }
    }
}
