/// What an issued (SMS or e-mail) code is for. A code issued for one purpose never redeems for another.
public struct CodePurpose: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The purpose's name: 1 to 64 lower-case letters, digits, `-`, `_` or `.`.
    public let rawValue: String

    /// A purpose, or `nil` when `rawValue` is not 1 to 64 lower-case letters, digits, `-`, `_` or `.`.
    public init?(rawValue: String) {
        guard !rawValue.isEmpty, rawValue.utf8.count <= 64,
            rawValue.utf8.allSatisfy({
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            })
        else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// A second factor at sign-in, or a step-up before a sensitive action.
    public static let signInStepUp = CodePurpose(known: "sign-in-step-up")
    /// Proving control of the account before a PIN or password reset.
    public static let pinReset = CodePurpose(known: "pin-reset")
    /// Proving control of a phone number being added.
    public static let phoneVerification = CodePurpose(known: "phone-verification")
    /// Proving control of an e-mail address being added.
    public static let emailVerification = CodePurpose(known: "email-verification")

    public var description: String { rawValue }
}

/// How issued codes look.
public enum IssuedCodeFormat: Sendable, Equatable {
    /// Decimal digits, 6...10 (6 is usual for SMS).
    case numeric(digits: Int)
    /// Symbols of ``CodeAlphabet/unambiguous``, 6...16.
    case alphanumeric(length: Int)

    var alphabetAndLength: ([UInt8], Int)? {
        switch self {
        case .numeric(let digits): (6...10).contains(digits) ? (CodeAlphabet.digits, digits) : nil
        case .alphanumeric(let length): (6...16).contains(length) ? (CodeAlphabet.unambiguous, length) : nil
        }
    }
}

/// The rules for issued codes.
public struct IssuedCodePolicy: Sendable, Equatable {
    /// The code's format; 6 digits by default.
    public var format: IssuedCodeFormat
    /// How long a code lives: 10 minutes by default, NIST SP 800-63B §5.1.3's ceiling for out-of-band codes.
    public var lifetime: Duration
    /// Wrong tries before the code dies; 3 by default.
    public var tries: Int
    /// The wait before another code may be sent for the same account and purpose; 60 s by default.
    public var resendCooldown: Duration

    /// A policy.
    public init(
        format: IssuedCodeFormat = .numeric(digits: 6), lifetime: Duration = .seconds(600), tries: Int = 3,
        resendCooldown: Duration = .seconds(60)
    ) {
        self.format = format
        self.lifetime = lifetime
        self.tries = tries
        self.resendCooldown = resendCooldown
    }
}

/// Delivers a code to the account's phone or mailbox. The service implements it.
///
/// Deadbolt calls it for every issue, whether or not the account exists (it cannot tell): for an account that
/// does not exist or has no destination, return normally without sending, ideally after the same delay, so the
/// "send me a code" answer does not reveal which accounts exist. Throw only for a transport failure. Never log
/// the code.
public protocol CodeDelivery: Sendable {
    /// Sends `code` for `purpose` to the destination on file for `account`.
    func send(code: String, to account: String, purpose: CodePurpose) async throws
}

/// The answer to ``IssuedCodeSender/issue(account:purpose:binding:)``: the same for known and unknown accounts.
public enum CodeIssueResult: Sendable, Equatable {
    /// A code was generated, stored (replacing any earlier one) and handed to the delivery.
    case sent
    /// A code was sent for this account and purpose less than the cooldown ago; nothing was sent.
    case coolingDown
}

/// Issues SMS and e-mail codes: uniform random codes, stored only as keyed hashes with their binding, single use,
/// short-lived, with a few tries and a resend cooldown. Redeem them with
/// ``OneTimeCodeVerifier/verifyIssuedCode(_:account:purpose:binding:)``.
public struct IssuedCodeSender: Sendable {
    /// The store that holds code hashes and cooldown markers.
    public let store: any StateStore
    /// The delivery the service implements.
    public let delivery: any CodeDelivery
    /// The rules.
    public let policy: IssuedCodePolicy
    let hashingKey: CodeHashingKey
    let events: EventRecorder

    /// A sender, recording ``SecurityEvent/Kind/codeIssued`` (never the code) to `events` for each code sent.
    /// - Throws: ``OneTimeCodeError/invalidFormat`` or ``OneTimeCodeError/invalidPolicy(_:)``.
    public init(
        store: any StateStore, delivery: any CodeDelivery, hashingKey: CodeHashingKey, policy: IssuedCodePolicy = .init(),
        events: any SecurityEventSink = DiscardingEventSink(), wallClock: any WallClock = SystemClock()
    ) throws {
        guard policy.format.alphabetAndLength != nil else { throw OneTimeCodeError.invalidFormat }
        guard policy.lifetime > .zero else { throw OneTimeCodeError.invalidPolicy("the lifetime must be positive") }
        guard (1...10).contains(policy.tries) else { throw OneTimeCodeError.invalidPolicy("tries must be 1 to 10") }
        guard policy.resendCooldown >= .zero else { throw OneTimeCodeError.invalidPolicy("the cooldown is negative") }
        self.store = store
        self.delivery = delivery
        self.hashingKey = hashingKey
        self.policy = policy
        self.events = EventRecorder(sink: events, wallClock: wallClock)
    }

    /// Issues a code for `account` and `purpose`, bound to `binding` (the id of the request that asked for it, up to
    /// 256 bytes; the code redeems only with the same binding), and hands it to the delivery. A new code replaces
    /// the previous one, which stops working. The work and the answer are the same whether the account exists.
    /// - Throws: ``StateStoreError`` (invalid account or binding length included), ``RandomError``, or what the
    ///   delivery throws (then the code is withdrawn and the cooldown lifted, so the user can retry).
    public func issue(account: String, purpose: CodePurpose, binding: [UInt8]) async throws -> CodeIssueResult {
        guard binding.count <= 256 else { throw StateStoreError.invalidArgument("the binding must be at most 256 bytes") }
        let codeKey = try IssuedCodeSender.codeKey(account: account, purpose: purpose)
        let cooldownKey = try StateKey(namespace: "code-cooldown", identifier: account, name: purpose.rawValue)
        if policy.resendCooldown > .zero {
            guard try await store.claim(cooldownKey, ttl: policy.resendCooldown) else { return .coolingDown }
        }
        guard let (alphabet, length) = policy.format.alphabetAndLength else { throw OneTimeCodeError.invalidFormat }
        let code = try CodeAlphabet.draw(length: length, from: alphabet)
        let digest = try IssuedCodeSender.digest(Array(code.utf8), account: account, purpose: purpose, key: hashingKey)
        try await store.putCode(codeKey, digest: digest, context: binding, tries: policy.tries, ttl: policy.lifetime)
        do {
            try await delivery.send(code: code, to: account, purpose: purpose)
        } catch {
            try? await store.remove(codeKey)
            try? await store.remove(cooldownKey)
            throw error
        }
        await events.record(.codeIssued, account: account)
        return .sent
    }

    static func codeKey(account: String, purpose: CodePurpose) throws -> StateKey {
        try StateKey(namespace: "code", identifier: account, name: purpose.rawValue)
    }

    /// HMAC-SHA256 of purpose ‖ account ‖ code under the hashing key.
    static func digest(_ normalizedCode: [UInt8], account: String, purpose: CodePurpose, key: CodeHashingKey) throws
        -> [UInt8]
    {
        try key.digest(domain: "deadbolt.issued-code.v1", [Array(purpose.rawValue.utf8), Array(account.utf8), normalizedCode])
    }
}
