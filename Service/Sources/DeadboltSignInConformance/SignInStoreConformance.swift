import DeadboltSignIn

/// The storage conformance suite: every case a ``DeadboltSignIn/SignInStore`` must pass, whatever its database.
///
/// A store's test target runs each case with a factory that makes a fresh, empty store wired to the given fault
/// injector:
///
/// ```swift
/// import DeadboltSignInConformance
/// import Testing
///
/// @Suite struct MyStoreConformance {
///     @Test(arguments: SignInStoreConformance.cases)
///     func conformance(_ check: SignInStoreConformance.Case) async throws {
///         try await SignInStoreConformance { injector in try await MyStore(…, faultInjector: injector) }.run(check)
///     }
/// }
/// ```
///
/// A case throws ``ConformanceFailure`` (what was expected, what was found) when the store misbehaves; the test
/// framework reports the error. The suite uses no test framework itself, so any target can link it.
public struct SignInStoreConformance: Sendable {
    /// Makes a fresh, empty store that calls `injector` inside every change set it applies.
    public typealias Factory = @Sendable (_ injector: StoreFaultInjector) async throws -> any SignInStore

    /// One named case.
    public struct Case: Sendable, CustomStringConvertible {
        /// The case's name, as test reports show it.
        public let name: String
        let body: @Sendable (Subject) async throws -> Void

        public var description: String { name }
    }

    /// What a case runs against: the store and its injector.
    struct Subject: Sendable {
        let store: any SignInStore
        let injector: StoreFaultInjector
    }

    private let makeStore: Factory

    /// A suite over stores from `makeStore`.
    public init(makeStore: @escaping Factory) {
        self.makeStore = makeStore
    }

    /// Runs `check` against a fresh store.
    /// - Throws: ``ConformanceFailure``, or what the store or the factory throws unexpectedly.
    public func run(_ check: Case) async throws {
        let injector = StoreFaultInjector()
        let store = try await makeStore(injector)
        try await check.body(Subject(store: store, injector: injector))
    }

    /// Every case, in a stable order.
    public static var cases: [Case] {
        AccountCases.all + StepCases.all + AtomicityCases.all + SessionCases.all + FactorCases.all + ActivityCases.all
            + OutboxCases.all + LifecycleCases.all
    }
}


/// A case's failure: what was expected and what the store did.
public struct ConformanceFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// Where in the suite.
    public let location: String

    init(_ message: String, file: StaticString = #fileID, line: UInt = #line) {
        self.message = message
        location = "\(file):\(line)"
    }

    public var description: String { "\(message) (\(location))" }
}
