import Deadbolt

/// What the PIN policy needs to know about a person, recorded at identity verification: sealed at rest (the
/// account id as associated data) and opened only to check a new PIN. Prints as which fields are set, never values.
public struct PersonalFacts: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The birth date, `YYYY-MM-DD`.
    public let birthDate: String?
    /// The last four digits of the social security number.
    public let ssnLastFour: String?
    /// The phone number (also put on file for text-message codes).
    public let phoneNumber: String?

    /// Facts, checked as ``Deadbolt/PINContext`` checks them.
    /// - Throws: ``SignInError/invalidInput(field:reason:)`` naming the malformed field (never its value).
    public init(birthDate: String?, ssnLastFour: String?, phoneNumber: String?) throws {
        do {
            _ = try PINContext(
                birthDate: try birthDate.map { try PINContext.BirthDate(iso8601: $0) }, ssnLastFour: ssnLastFour,
                phoneNumber: phoneNumber)
        } catch let error as PINPolicyError {
            throw SignInError.invalidInput(field: "personal facts", reason: error.description)
        }
        self.birthDate = birthDate
        self.ssnLastFour = ssnLastFour
        self.phoneNumber = phoneNumber
    }

    /// The PIN policy's context for these facts, with the previous PIN when known.
    func pinContext(previousPIN: String? = nil) throws -> PINContext {
        try PINContext(
            birthDate: try birthDate.map { try PINContext.BirthDate(iso8601: $0) }, ssnLastFour: ssnLastFour,
            phoneNumber: phoneNumber, previousPIN: previousPIN)
    }

    /// Which fields are set.
    public var description: String {
        let set = [birthDate.map { _ in "birthDate" }, ssnLastFour.map { _ in "ssnLastFour" }, phoneNumber.map { _ in "phoneNumber" }]
        return "PersonalFacts(\(set.compactMap { $0 }.joined(separator: ", ")))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }
}

/// One identity verification: how, by whom, on what evidence, and the facts recorded.
public struct IdentityProof: Sendable, Hashable {
    /// How the identity was verified.
    public let method: ProofingMethod
    /// Where the evidence is kept (a case number), 1 to 256 bytes; never the evidence itself.
    public let evidenceReference: String
    /// Who approved, 1 to 128 bytes.
    public let approvedBy: String
    /// The facts the PIN policy needs.
    public let facts: PersonalFacts

    /// A proof.
    /// - Throws: ``SignInError/invalidInput(field:reason:)`` when a text field is empty or too long.
    public init(method: ProofingMethod, evidenceReference: String, approvedBy: String, facts: PersonalFacts) throws {
        guard (1...256).contains(evidenceReference.utf8.count) else {
            throw SignInError.invalidInput(field: "evidenceReference", reason: "must be 1 to 256 bytes")
        }
        guard (1...128).contains(approvedBy.utf8.count) else {
            throw SignInError.invalidInput(field: "approvedBy", reason: "must be 1 to 128 bytes")
        }
        self.method = method
        self.evidenceReference = evidenceReference
        self.approvedBy = approvedBy
        self.facts = facts
    }
}

/// What recording a verification did.
public enum IdentityProofingOutcome: Sendable, Hashable {
    /// The account's identity is verified; the person sets a PIN at their next sign-in.
    case verified(AccountID)
    /// The account had been verified before (the person lost both PIN and password): the old PIN and password are
    /// void, every session ended and every device forgotten. The operator hands `reenrollmentCode` to the person
    /// (shown once, never stored in clear); the person uses Forgot password, which asks for it after the emailed
    /// code, then sets a PIN at the next sign-in.
    case reverified(AccountID, reenrollmentCode: ReenrollmentCode)

    /// The account.
    public var account: AccountID {
        switch self {
        case .verified(let account), .reverified(let account, _): account
        }
    }

    /// The one-time re-enrollment code to hand to the person, after a re-verification; `nil` after a first one.
    public var reenrollmentCode: ReenrollmentCode? {
        switch self {
        case .verified: nil
        case .reverified(_, let code): code
        }
    }
}

/// Records that a person's identity was verified, with the facts the PIN policy needs. The reference
/// implementation is ``OperatorIdentityProofing`` (an operator's approval, which the reference server's
/// `admin verify-identity` command calls); another method (a proofing vendor) implements the same call.
public protocol IdentityProofing: Sendable {
    /// Records `proof` for the account with `email`.
    /// - Throws: ``SignInError/notFound`` when no account has the address, or another ``SignInError``.
    func record(_ proof: IdentityProof, email: EmailAddress) async throws -> IdentityProofingOutcome
}
