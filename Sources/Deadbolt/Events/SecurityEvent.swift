/// Something that happened to an account that its owner or an operator may need to see: a failed attempt, a
/// lock, a code used, the state store failing.
///
/// An event never carries a secret or a code: it has no field that could hold one. Its free-text fields are
/// identifiers (account, source address, device), each cut to ``maximumFieldLength`` bytes.
public struct SecurityEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A credential check failed.
        case attemptFailed
        /// A credential check succeeded.
        case attemptSucceeded
        /// An attempt was refused before any check ran: a lock or a rate limit was in force.
        case attemptBlocked
        /// Failures locked the account for a while.
        case locked
        /// A lock was cleared (a recovery flow or an administrator).
        case unlocked
        /// Failures reached the hard-lock threshold: only a recovery flow or an administrator unlocks it.
        case hardLocked
        /// The account's PIN or password was changed.
        case pinChanged
        /// A stored hash was upgraded to current parameters.
        case rehashed
        /// A one-time code was issued.
        case codeIssued
        /// A one-time code was accepted.
        case codeRedeemed
        /// A one-time code was wrong.
        case codeRejected
        /// A one-time code that was already used was presented again.
        case codeReplayed
        /// A one-time code was presented where none was waiting: expired, used up, or out of tries.
        case codeExpired
        /// A recovery code was used.
        case recoveryCodeUsed
        /// The state store could not answer; the policy failed closed or open as configured.
        case storeUnavailable
    }

    /// The longest account, source or device identifier kept, in UTF-8 bytes; longer ones are cut.
    public static let maximumFieldLength = 256

    /// What happened.
    public let kind: Kind
    /// When, in wall-clock milliseconds since the Unix epoch (for display; never used to time a lock).
    public let millisecondsSinceEpoch: Int64
    /// The account it happened to, where known.
    public let account: String?
    /// The source address the attempt came from, where known.
    public let source: String?
    /// The device identifier, where known.
    public let device: String?
    /// The consecutive failures counted on the account after this event, where it applies.
    public let failures: Int?
    /// How long a lock or limit lasts from this event, where it applies.
    public let retryAfter: Duration?
    /// Why the store failed, for ``Kind/storeUnavailable`` (a ``StateStoreError`` description, which never holds
    /// a secret).
    public let storeFailure: String?

    /// An event. Identifiers longer than ``maximumFieldLength`` bytes are cut at a character boundary; a negative
    /// failure count or retry-after is dropped.
    public init(
        kind: Kind,
        millisecondsSinceEpoch: Int64,
        account: String? = nil,
        source: String? = nil,
        device: String? = nil,
        failures: Int? = nil,
        retryAfter: Duration? = nil,
        storeFailure: StateStoreError? = nil
    ) {
        self.init(
            kind: kind, millisecondsSinceEpoch: millisecondsSinceEpoch, account: account, source: source,
            device: device, failures: failures, retryAfter: retryAfter, storeFailureText: storeFailure?.description
        )
    }

    init(
        kind: Kind, millisecondsSinceEpoch: Int64, account: String?, source: String?, device: String?,
        failures: Int?, retryAfter: Duration?, storeFailureText: String?
    ) {
        self.kind = kind
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
        self.account = account.map(Self.bounded)
        self.source = source.map(Self.bounded)
        self.device = device.map(Self.bounded)
        self.failures = failures.flatMap { $0 >= 0 ? $0 : nil }
        self.retryAfter = retryAfter.flatMap { $0 >= .zero ? $0 : nil }
        self.storeFailure = storeFailureText.map(Self.bounded)
    }

    /// `text` cut to at most ``maximumFieldLength`` UTF-8 bytes, never inside a character.
    static func bounded(_ text: String) -> String {
        guard text.utf8.count > maximumFieldLength else { return text }
        var kept = ""
        var length = 0
        for character in text {
            let size = character.utf8.count
            guard length + size <= maximumFieldLength else { break }
            kept.append(character)
            length += size
        }
        return kept
    }
}
