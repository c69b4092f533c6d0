import Deadbolt
import DeadboltSQLite
import Foundation
import Synchronization
import Testing

@testable import DeadboltSignIn

/// Counts every hash and verification that goes through it: the seam the enumeration tests compare (hash calls,
/// not timing).
final class CountingHasher: CredentialHashing {
    let base: PasswordHasher
    private let counts = Mutex((hashes: 0, verifies: 0))

    init(_ base: PasswordHasher) { self.base = base }

    var kind: PasswordHasher.SecretKind { base.kind }
    var hashes: Int { counts.withLock { $0.hashes } }
    var verifies: Int { counts.withLock { $0.verifies } }
    var total: Int { counts.withLock { $0.hashes + $0.verifies } }

    func hash(_ secret: SecretBytes) async throws -> String {
        counts.withLock { $0.hashes += 1 }
        return try await base.hash(secret)
    }

    func verify(_ secret: SecretBytes, against encoded: String) async throws -> Verification {
        counts.withLock { $0.verifies += 1 }
        return try await base.verify(secret, against: encoded)
    }
}

/// Keeps every security event the engine's policies record.
final class RecordingEventSink: SecurityEventSink {
    private let events = Mutex<[SecurityEvent]>([])
    var recorded: [SecurityEvent] { events.withLock { $0 } }
    func kinds(_ kind: SecurityEvent.Kind) -> Int { recorded.filter { $0.kind == kind }.count }
    func record(_ event: SecurityEvent) async { events.withLock { $0.append(event) } }
}

/// One sign-in system on an in-memory SQLite store and an in-memory state store, with a manual clock, a
/// recording transport, recording events and counting hashers. Argon2 at the engine's smallest memory (8 KiB,
/// t = 1): correctness is under test here, not cost.
struct Harness {
    static let small = HashAlgorithm.argon2(Argon2.Parameters(memoryKiB: 8, iterations: 1, parallelism: 1))
    static let defaultPassword = "correct horse battery staple"
    static let goodPIN = "482913"

    let clock: ManualClock
    let store: any SignInStore
    let stateStore: any StateStore
    let transport = RecordingTransport()
    let events = RecordingEventSink()
    let passwords: CountingHasher
    let pins: CountingHasher
    let system: SignInSystem
    let worker: DeliveryWorker
    /// Fails the in-memory SQLite store's next change set when armed.
    let faults = StoreFaultInjector()

    init(
        configuration: SignInConfiguration = Harness.configuration(), clock: ManualClock = ManualClock(), store: (any SignInStore)? = nil,
        stateStore: (any StateStore)? = nil, passwordHasher: (any CredentialHashing)? = nil
    ) async throws {
        self.clock = clock
        self.store = try store ?? SQLiteSignInStore(path: ":memory:", faultInjector: faults)
        self.stateStore = stateStore ?? InMemoryStateStore(clock: clock)
        let pepper = try PepperKeyring(current: PepperKey(id: "test", secret: [UInt8](repeating: 7, count: 32)))
        passwords = CountingHasher(try PasswordHasher(for: .password, algorithm: Self.small, keyring: pepper))
        pins = CountingHasher(try PasswordHasher(for: .pin, algorithm: Self.small, keyring: pepper))
        let secrets = try SignInSecrets(
            sealing: try SealingKeyring(current: try SealingKey(id: "test", key: SecretBytes([UInt8](repeating: 9, count: 32)))),
            serverKey: SecretBytes([UInt8](repeating: 5, count: 32)))
        system = try await SignInSystem(
            store: self.store, stateStore: self.stateStore, secrets: secrets, passwordHasher: passwordHasher ?? passwords, pinHasher: pins,
            configuration: configuration, events: events, clock: clock)
        worker = system.deliveryWorker(transport: transport, name: "test-worker")
    }

    /// The test configuration: the defaults, with a code resend cooldown short enough to step over.
    static func configuration(_ adjust: (inout SignInConfiguration) -> Void = { _ in }) -> SignInConfiguration {
        var configuration = SignInConfiguration(notMeURL: "https://deadbolt.example/not-me")
        adjust(&configuration)
        return configuration
    }

    static func client(_ address: String = "192.0.2.10", browser: String = "browser-0000000001", device: DeviceToken? = nil) throws -> ClientContext {
        try ClientContext(address: try NetworkAddress(address), browserID: browser, rememberedDevice: device, deviceLabel: "Firefox on Linux")
    }

    /// Delivers what is due and returns the messages sent by this pass.
    @discardableResult
    func deliver() async throws -> [OutgoingMessage] {
        let before = transport.messages.count
        _ = try await worker.deliverDue()
        return Array(transport.messages.dropFirst(before))
    }

    /// The code in the newest delivered message to `destination`.
    func lastCode(to destination: String) async throws -> String {
        try await deliver()
        for message in transport.messages.reversed() where message.destination == destination {
            switch message.notice {
            case .confirmEmailCode(let code), .signInCode(let code), .recoveryCode(let code, _), .phoneConfirmationCode(let code):
                return code
            default:
                continue
            }
        }
        throw HarnessError("no code was sent to \(destination)")
    }

    // MARK: Journeys

    /// Signs up and confirms `email`.
    func signUp(_ email: String, password: String = Harness.defaultPassword, client: ClientContext? = nil) async throws {
        let client = try client ?? Self.client()
        guard case .confirmEmail(let token, _) = try await system.signUp.start(email: email, password: password, client: client) else {
            throw HarnessError("sign-up did not ask for the code")
        }
        let code = try await lastCode(to: email)
        let answer = try await system.signUp.confirmEmail(token, code: code, client: client)
        guard answer == .accountCreated else { throw HarnessError("sign-up answered \(answer)") }
    }

    /// Signs up, verifies the identity (with a phone on file) and sets the first PIN on a sign-in that ends with an
    /// email code and "remember this device". Returns the grant.
    @discardableResult
    func activeAccount(
        _ email: String, phone: String? = "+1 202 555 0143", client: ClientContext? = nil, rememberDevice: Bool = true
    ) async throws -> SessionGrant {
        let client = try client ?? Self.client()
        try await signUp(email, client: client)
        try await verifyIdentity(email, phone: phone)
        let token = try await passwordStep(email, client: client)
        guard case .needNewPIN(let pinToken) = try await system.signIn.submitPassword(token, password: Self.defaultPassword, client: client) else {
            throw HarnessError("no new-PIN step after verification")
        }
        let answer = try await system.signIn.setFirstPIN(pinToken, pin: Self.goodPIN, client: client)
        return try await finishWithEmailCode(answer, email: email, client: client, rememberDevice: rememberDevice)
    }

    func verifyIdentity(_ email: String, phone: String? = "+1 202 555 0143") async throws {
        _ = try await system.identity.record(
            try IdentityProof(
                method: .operatorApproval, evidenceReference: "case-1", approvedBy: "operator",
                facts: try PersonalFacts(birthDate: "1990-04-12", ssnLastFour: "6789", phoneNumber: phone)),
            email: try EmailAddress(email))
    }

    /// Starts a sign-in and returns the password step's token.
    func passwordStep(_ email: String, client: ClientContext) async throws -> StepToken {
        guard case .needPassword(let token) = try await system.signIn.start(email: email, client: client) else {
            throw HarnessError("no password step")
        }
        return token
    }

    /// Signs in with password and PIN; returns the answer after the PIN.
    func signIn(_ email: String, client: ClientContext, pin: String = Harness.goodPIN) async throws -> SignInAnswer {
        let token = try await passwordStep(email, client: client)
        guard case .needPIN(let pinToken) = try await system.signIn.submitPassword(token, password: Self.defaultPassword, client: client) else {
            throw HarnessError("no PIN step")
        }
        return try await system.signIn.submitPIN(pinToken, pin: pin, client: client)
    }

    /// From a second-factor answer, asks for an email code and gives it.
    func finishWithEmailCode(_ answer: SignInAnswer, email: String, client: ClientContext, rememberDevice: Bool) async throws -> SessionGrant {
        if case .signedIn(let grant) = answer { return grant }
        guard case .needSecondFactor(let token, _) = answer else { throw HarnessError("expected a second factor, got \(answer)") }
        guard case .codeSent(let codeToken, _) = try await system.signIn.sendSecondFactorCode(token, via: .email, client: client) else {
            throw HarnessError("the code was not sent")
        }
        let code = try await lastCode(to: email)
        let final = try await system.signIn.submitSecondFactor(codeToken, proof: .sentCode(code), rememberDevice: rememberDevice, client: client)
        guard case .signedIn(let grant) = final else { throw HarnessError("second factor answered \(final)") }
        return grant
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
