import Deadbolt
import Foundation

/// What a flow carries from one step to the next, stored as JSON in the step's row (``StepRecord/payload``).
struct StepPayload: Codable, Hashable {
    /// The normalized address the flow started with.
    var email: String
    /// Sign-up: the new account's password hash, until the code confirms the address.
    var pendingPasswordHash: String?
    /// Recovery: how it started.
    var origin: RecoveryOrigin?
    /// The channel a code was sent to.
    var channel: CodeChannel?
    /// The account's credential version when the flow read it (a later change makes the flow's write fail).
    var credentialVersion: Int64?
    /// Sign-in: whether the device or network is new (a second factor is due, and a new-device notice).
    var secondFactorDue: Bool?
    /// Signed-in changes: the session that started the change.
    var session: SessionID?
    /// Enrollment: the authenticator's secret, sealed, until the first code confirms it.
    var sealedSecret: String?
    /// Phone change: the new number, sealed, and its last four.
    var sealedPhone: String?
    var phoneLastFour: String?
    /// Forgot password after a re-verification: the digest (row key) of the re-enrollment code the person gave,
    /// consumed with the new password.
    var reenrollmentCode: TokenDigest?

    init(email: String) {
        self.email = email
    }

    var encoded: String {
        // Encoding a struct of strings, numbers and enums cannot fail; an empty object is the safe fallback.
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}"
    }

    static func decode(_ text: String) throws -> StepPayload {
        do {
            return try JSONDecoder().decode(StepPayload.self, from: Data(text.utf8))
        } catch {
            throw SignInError.stepInvalid
        }
    }
}

/// A step token that passed every check, with its decoded payload.
struct OpenStep: Sendable {
    let record: StepRecord
    let payload: StepPayload

    var digest: TokenDigest { record.digest }
    var flow: FlowID { record.flow }
    var account: AccountID? { record.account }
    /// The flow id's bytes: what issued codes are bound to, so a code works only in the flow that asked for it.
    var binding: [UInt8] { Array(record.flow.rawValue.utf8) }
}

extension FlowContext {
    /// Issues a step token: its record (to insert in the step's change set) and the token (to answer with).
    func issueStep(
        flow: FlowID, kind: FlowKind, step: StepKind, account: AccountID?, emailKey: String, previous: TokenDigest?,
        client: ClientContext, payload: StepPayload
    ) throws -> (StepToken, StepRecord) {
        let token = try StepToken.random()
        let now = self.now
        let record = StepRecord(
            digest: try secrets.tokens.digest(token), flow: flow, flowKind: kind, step: step, account: account,
            emailKey: emailKey, previous: previous, browser: try secrets.tokens.digest(browserID: client.browserID),
            address: client.addressKey, createdAt: now, expiresAt: now.adding(configuration.stepLifetime), consumedAt: nil,
            payload: payload.encoded)
        return (token, record)
    }

    /// Reads `token` and checks it stands for one of `steps` of `kind`, unconsumed and unexpired, presented by the
    /// browser and from the address that started the flow.
    /// - Throws: ``SignInError/stepInvalid`` for anything else (the same error whatever failed, so a token reveals
    ///   nothing), ``SignInError/unavailable``.
    func openStep(_ token: StepToken, kind: FlowKind, steps: Set<StepKind>, client: ClientContext) async throws -> OpenStep {
        let digest = try secrets.tokens.digest(token)
        let browser = try secrets.tokens.digest(browserID: client.browserID)
        // Found by its digest (an index look-up); the browser binding, a digest too, compared in constant time.
        guard let record = try await storeCall({ try await store.step(digest: digest) }),
            record.consumedAt == nil, now < record.expiresAt, record.flowKind == kind, steps.contains(record.step),
            ConstantTime.equals(record.browser.bytes, browser.bytes), record.address == client.addressKey
        else { throw SignInError.stepInvalid }
        return OpenStep(record: record, payload: try StepPayload.decode(record.payload))
    }

    /// Applies a step's change set. A lost step token (another replica consumed it first) is
    /// ``SignInError/stepAlreadyUsed``; any other failed precondition ``SignInError/concurrentChange``.
    func commit(_ changes: ChangeSet) async throws {
        do {
            try await store.apply(changes)
        } catch SignInStoreError.conflict(let index, let reason) {
            logger.debug("change set conflict", metadata: ["change": "\(index)", "reason": "\(reason)"])
            switch reason {
            case .stepUnavailable: throw SignInError.stepAlreadyUsed
            default: throw SignInError.concurrentChange
            }
        } catch let error as SignInStoreError {
            logger.warning("sign-in store failed", metadata: ["error": "\(error)"])
            throw SignInError.unavailable
        }
    }

    /// Runs a store read, mapping its failures to ``SignInError/unavailable``.
    func storeCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SignInStoreError {
            logger.warning("sign-in store failed", metadata: ["error": "\(error)"])
            throw SignInError.unavailable
        }
    }

    /// Maps a hashing failure: an overloaded pool to ``SignInError/overloaded``, anything else to
    /// ``SignInError/misconfigured(_:)`` (a stored hash this service cannot read).
    func hashing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch HashingError.overloaded {
            throw SignInError.overloaded
        } catch let error as HashingError {
            throw SignInError.misconfigured("a credential could not be hashed or checked: \(error)")
        }
    }

    /// An activity entry for `account` now, from `client`.
    func activity(_ kind: ActivityKind, account: AccountID, client: ClientContext?) throws -> Change {
        .appendActivity(
            ActivityRecord(
                id: try ActivityID.random(), account: account, kind: kind, at: now, network: client?.address?.network,
                deviceLabel: client.map(\.deviceLabel)))
    }

    /// Takes one flow start for the client's address; `nil` when allowed, the wait when not.
    func limitFlowStart(_ client: ClientContext) async throws -> Duration? {
        guard let address = client.addressKey else { return nil }
        switch try await flowStarts.acquire(address) {
        case .allowed: return nil
        case .denied(let retryAfter): return retryAfter
        case .unavailable: throw SignInError.unavailable
        }
    }

    /// Takes one code send for a destination; `nil` when allowed, the wait when not.
    func limitCodeSend(_ destinationKey: String) async throws -> Duration? {
        switch try await codeSends.acquire(destinationKey) {
        case .allowed: return nil
        case .denied(let retryAfter): return retryAfter
        case .unavailable: throw SignInError.unavailable
        }
    }

    /// Checks a secret's size before any work: at most `maximum` bytes, not empty.
    func bound(_ secret: String, field: String, maximum: Int) throws {
        guard !secret.isEmpty, secret.utf8.count <= maximum else {
            throw SignInError.invalidInput(field: field, reason: "must be 1 to \(maximum) bytes")
        }
    }
}
