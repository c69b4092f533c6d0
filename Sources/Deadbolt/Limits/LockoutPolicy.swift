import Synchronization

/// Attempt limits for a credential check (a PIN, a password): reserve an attempt, run the slow check, then report
/// how it went.
///
/// ```swift
/// switch try await lockout.reserve(account: accountID, source: clientAddress) {
/// case .admitted(let ticket):
///     if try await checkPIN(pin, of: accountID) {   // your slow check: a hash verification
///         await lockout.succeeded(ticket)
///     } else {
///         await lockout.failed(ticket)
///     }
/// case .locked(let retryAfter): ...   // "try again in ..."
/// case .hardLocked: ...               // "use account recovery"
/// case .unavailable: ...             // "try again later"
/// }
/// ```
///
/// The reservation counts as a failure before the check runs, so N parallel guesses (on one replica or many
/// sharing a store) never get more than the budget: the store admits them one at a time, atomically.
///
/// Three budgets, three keys, one store call each (a store operation touches one key, so it can be one Redis
/// script on one cluster slot):
///
/// 1. **Per source address**: a GCRA rate at `deadbolt:{source}:source-rate:purpose` (spraying many accounts
///    from one address).
/// 2. **Per account and source**: a lockout schedule at `deadbolt:{account}:lockout-source:purpose:source`, scoped by
///    the account so it shares the account's slot. It keeps an attacker's address locked out of an account even
///    after the owner's own successful login resets the account's count.
/// 3. **Per account**: a lockout schedule at `deadbolt:{account}:lockout:purpose` (guessing from many addresses), with
///    the hard lock of NIST SP 800-63B §5.2.2.
///
/// They are reserved in that order, and when one refuses, the ones already taken are refunded
/// (``StateStore/refundToken(_:limit:)``, ``StateStore/refundAttempt(_:admittedAs:schedule:)``), so a refused attempt costs
/// nothing anywhere. The account's budget comes last, so it is never taken and refunded: a refund that fails (the
/// store dropped mid-way) can never leave a stray failure on the account, and an attacker refused at their own
/// address's limit never touches the account's count at all.
///
/// Answers say allowed, locked with a retry-after, or hard-locked — never which budget refused or which factor
/// was wrong. Account and source identifiers are any strings (escaped into keys); normalize them (case, IPv6
/// form) before calling, since `Alice` and `alice` are different accounts here.
public struct LockoutPolicy: Sendable {
    /// Every number the policy uses. Defaults are documented on each property with their source.
    public struct Configuration: Sendable, Hashable {
        /// Keeps this policy's state apart from others in one store (`password`, `pin`): 1 to 32 letters,
        /// digits, `-`, `_`, `.`. Default `login`.
        public var purpose: String
        /// The per-account schedule. Default ``LockoutSchedule/accountDefault``.
        public var account: LockoutSchedule
        /// The per-account-and-source schedule. Default ``LockoutSchedule/accountDefault``: the same steps, counted
        /// for one address only.
        public var accountSource: LockoutSchedule
        /// The per-source rate of attempts; successes are refunded, so it counts failures. Default
        /// ``RateLimit/sourceAttemptsDefault``.
        public var source: RateLimit
        /// What a store failure does. Default ``StoreFailureMode/failClosed``.
        public var whenStoreFails: StoreFailureMode

        /// A configuration; every argument defaults as documented on its property.
        public init(
            purpose: String = "login",
            account: LockoutSchedule = .accountDefault,
            accountSource: LockoutSchedule = .accountDefault,
            source: RateLimit = .sourceAttemptsDefault,
            whenStoreFails: StoreFailureMode = .failClosed
        ) {
            self.purpose = purpose
            self.account = account
            self.accountSource = accountSource
            self.source = source
            self.whenStoreFails = whenStoreFails
        }

        /// Checks every field; throws ``StateStoreError/invalidArgument(_:)`` naming the first out of range.
        public func validate() throws {
            try LimitPurpose.check(purpose)
            try account.validate()
            try accountSource.validate()
            try source.validate()
        }
    }

    /// The namespaces of the three budgets' keys.
    public enum Namespace {
        /// Per account.
        public static let account = "lockout"
        /// Per account and source, scoped by the account.
        public static let accountSource = "lockout-source"
        /// Per source.
        public static let source = "source-rate"
    }

    /// The configuration in force.
    public let configuration: Configuration
    private let store: any StateStore
    private let events: any SecurityEventSink
    private let wallClock: any WallClock

    /// A policy keeping its state in `store`, reporting to `events`, stamping events with `wallClock`.
    ///
    /// - Throws: ``StateStoreError/invalidArgument(_:)`` when `configuration` is out of range.
    public init(
        store: any StateStore, configuration: Configuration = Configuration(),
        events: any SecurityEventSink = DiscardingEventSink(), wallClock: any WallClock = SystemClock()
    ) throws {
        try configuration.validate()
        self.store = store
        self.configuration = configuration
        self.events = events
        self.wallClock = wallClock
    }

    /// Reserves one attempt for `account` from `source` (its address, when known; without one, only the
    /// per-account budget applies). `device` only labels events.
    ///
    /// A store failure answers ``LockoutDecision/unavailable`` (failing closed) or admits the attempt with
    /// whatever budgets were taken (failing open), and records ``SecurityEvent/Kind/storeUnavailable``.
    ///
    /// - Throws: ``StateStoreError/invalidKey(_:)`` when `account` or `source` is empty or too long (256 bytes
    ///   once escaped). Nothing is reserved then.
    public func reserve(account: String, source: String? = nil, device: String? = nil) async throws -> LockoutDecision {
        let keys = try AttemptKeys(purpose: configuration.purpose, account: account, source: source)
        var taken = AttemptTicket.Taken()
        do {
            if let sourceKey = keys.source {
                switch try await store.acquireToken(sourceKey, limit: configuration.source) {
                case .allowed: taken.sourceToken = true
                case .denied(let retryAfter):
                    return await refused(.locked(retryAfter: retryAfter), account, source, device, taken, keys)
                }
            }
            if let pairKey = keys.accountSource {
                switch try await store.reserveAttempt(pairKey, schedule: configuration.accountSource) {
                case .admitted(let failures): taken.accountSourceFailures = failures
                case .locked(let retryAfter):
                    return await refused(.locked(retryAfter: retryAfter), account, source, device, taken, keys)
                case .hardLocked: return await refused(.hardLocked, account, source, device, taken, keys)
                }
            }
            switch try await store.reserveAttempt(keys.account, schedule: configuration.account) {
            case .admitted(let failures): taken.accountFailures = failures
            case .locked(let retryAfter):
                return await refused(.locked(retryAfter: retryAfter), account, source, device, taken, keys)
            case .hardLocked: return await refused(.hardLocked, account, source, device, taken, keys)
            }
        } catch {
            await record(.storeUnavailable, account, source, device, storeFailure: Self.storeError(error))
            guard configuration.whenStoreFails == .failOpen else {
                await refund(taken, keys, account, source, device)
                return .unavailable
            }
        }
        return .admitted(
            AttemptTicket(
                account: account, source: source, device: device, keys: keys, taken: taken,
                configuration: configuration
            )
        )
    }

    /// Reports that the admitted attempt's check succeeded: resets the account's and this source's
    /// consecutive-failure counts and gives back the source's token, then records
    /// ``SecurityEvent/Kind/attemptSucceeded``. A hard lock is never lifted here.
    ///
    /// Settles the ticket: a second ``succeeded(_:)`` or ``failed(_:)`` with the same ticket does nothing, so a
    /// ticket cannot refund twice. A store failure while resetting is recorded as
    /// ``SecurityEvent/Kind/storeUnavailable`` and otherwise ignored: the counts stay higher, which only errs
    /// toward locking.
    public func succeeded(_ ticket: AttemptTicket) async {
        guard ticket.settle() else { return }
        do {
            // Resetting is right even when failing open took nothing: the owner has just proven the credential.
            try await store.resetAttempts(ticket.keys.account)
            if let pairKey = ticket.keys.accountSource { try await store.resetAttempts(pairKey) }
            if ticket.taken.sourceToken, let sourceKey = ticket.keys.source {
                try await store.refundToken(sourceKey, limit: ticket.configuration.source)
            }
        } catch {
            await record(
                .storeUnavailable, ticket.account, ticket.source, ticket.device, storeFailure: Self.storeError(error)
            )
        }
        await record(.attemptSucceeded, ticket.account, ticket.source, ticket.device)
    }

    /// Reports that the admitted attempt's check failed. The reservation already counted the failure, so this
    /// touches no store: it records ``SecurityEvent/Kind/attemptFailed``, and ``SecurityEvent/Kind/locked`` or
    /// ``SecurityEvent/Kind/hardLocked`` when this failure brought a lock.
    ///
    /// Settles the ticket: a second ``succeeded(_:)`` or ``failed(_:)`` with the same ticket does nothing.
    public func failed(_ ticket: AttemptTicket) async {
        guard ticket.settle() else { return }
        let failures = ticket.taken.accountFailures
        await record(.attemptFailed, ticket.account, ticket.source, ticket.device, failures: failures)
        let schedules: [(Int?, LockoutSchedule)] = [
            (ticket.taken.accountFailures, ticket.configuration.account),
            (ticket.taken.accountSourceFailures, ticket.configuration.accountSource),
        ]
        var hardLocked = false
        var wait = Duration.zero
        for case (let count?, let schedule) in schedules {
            if count >= schedule.hardLockAfter { hardLocked = true }
            wait = max(wait, schedule.wait(afterFailures: count))
        }
        if hardLocked {
            await record(.hardLocked, ticket.account, ticket.source, ticket.device, failures: failures)
        } else if wait > .zero {
            await record(.locked, ticket.account, ticket.source, ticket.device, failures: failures, retryAfter: wait)
        }
    }

    /// The account's lockout state under the per-account schedule, without changing it.
    ///
    /// - Throws: ``StateStoreError`` when `account` is invalid or the store cannot answer.
    public func status(account: String) async throws -> LockoutStatus {
        let key = try AttemptKeys.accountKey(purpose: configuration.purpose, account: account)
        return try await store.lockoutStatus(key, schedule: configuration.account)
    }

    /// Lifts every lock on `account`, hard lock included, and with `source`, that address's lock on the account
    /// too: for a completed recovery flow or an administrator. Records ``SecurityEvent/Kind/unlocked``.
    ///
    /// - Throws: ``StateStoreError`` when an identifier is invalid or the store cannot answer.
    public func clear(account: String, source: String? = nil) async throws {
        let keys = try AttemptKeys(purpose: configuration.purpose, account: account, source: source)
        try await store.clearLockout(keys.account)
        if let pairKey = keys.accountSource { try await store.clearLockout(pairKey) }
        await record(.unlocked, account, source, nil)
    }

    // MARK: Helpers

    private func refused(
        _ decision: LockoutDecision, _ account: String, _ source: String?, _ device: String?,
        _ taken: AttemptTicket.Taken, _ keys: AttemptKeys
    ) async -> LockoutDecision {
        await refund(taken, keys, account, source, device)
        var retryAfter: Duration?
        if case .locked(let wait) = decision { retryAfter = wait }
        await record(.attemptBlocked, account, source, device, retryAfter: retryAfter)
        return decision
    }

    /// Gives back what a refused or failed-closed reservation took. Best effort: a refund that fails leaves the
    /// budget spent, which only errs toward refusing.
    private func refund(
        _ taken: AttemptTicket.Taken, _ keys: AttemptKeys, _ account: String, _ source: String?, _ device: String?
    ) async {
        do {
            if let failures = taken.accountSourceFailures, let pairKey = keys.accountSource {
                try await store.refundAttempt(pairKey, admittedAs: failures, schedule: configuration.accountSource)
            }
            if taken.sourceToken, let sourceKey = keys.source {
                try await store.refundToken(sourceKey, limit: configuration.source)
            }
        } catch {
            await record(.storeUnavailable, account, source, device, storeFailure: Self.storeError(error))
        }
    }

    private func record(
        _ kind: SecurityEvent.Kind, _ account: String, _ source: String?, _ device: String?, failures: Int? = nil,
        retryAfter: Duration? = nil, storeFailure: StateStoreError? = nil
    ) async {
        await EventRecorder(sink: events, wallClock: wallClock).record(
            kind, account: account, source: source, device: device, failures: failures, retryAfter: retryAfter,
            storeFailure: storeFailure)
    }

    private static func storeError(_ error: any Error) -> StateStoreError { EventRecorder.storeError(error) }
}

/// The answer to ``LockoutPolicy/reserve(account:source:device:)``.
public enum LockoutDecision: Sendable, Equatable {
    /// Run the check, then settle the ticket with ``LockoutPolicy/succeeded(_:)`` or ``LockoutPolicy/failed(_:)``.
    case admitted(AttemptTicket)
    /// Refused for now; a new attempt after `retryAfter` may be admitted.
    case locked(retryAfter: Duration)
    /// Refused until a recovery flow or an administrator clears the lock (``LockoutPolicy/clear(account:source:)``).
    case hardLocked
    /// Refused because the state store could not answer and the policy fails closed; try again later.
    case unavailable
}

/// An admitted attempt, to settle once with ``LockoutPolicy/succeeded(_:)`` or ``LockoutPolicy/failed(_:)``.
///
/// A reference type so settling is once-only across copies: the first settle wins, later ones do nothing. A
/// ticket never settled keeps its reservation counted as a failure, which is the safe side when a check crashes.
public final class AttemptTicket: Sendable, Equatable, CustomStringConvertible {
    /// The account the attempt is for.
    public let account: String
    /// The source address, when known.
    public let source: String?
    /// The device identifier, when known.
    public let device: String?

    /// The consecutive failures counted on the account including this attempt; `nil` when a failing-open store
    /// error meant nothing was counted.
    public var failures: Int? { taken.accountFailures }

    struct Taken: Sendable, Equatable {
        var sourceToken = false
        var accountSourceFailures: Int?
        var accountFailures: Int?
    }

    let keys: AttemptKeys
    let taken: Taken
    let configuration: LockoutPolicy.Configuration
    private let settled = Atomic<Bool>(false)

    init(
        account: String, source: String?, device: String?, keys: AttemptKeys, taken: Taken,
        configuration: LockoutPolicy.Configuration
    ) {
        self.account = account
        self.source = source
        self.device = device
        self.keys = keys
        self.taken = taken
        self.configuration = configuration
    }

    /// Marks the ticket settled; `true` only for the first caller.
    func settle() -> Bool {
        settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Identity: a ticket equals only itself, since each stands for one reservation.
    public static func == (lhs: AttemptTicket, rhs: AttemptTicket) -> Bool { lhs === rhs }

    public var description: String { "AttemptTicket(account: \(account), failures: \(failures.map(String.init) ?? "-"))" }
}

/// The three keys one attempt touches.
struct AttemptKeys: Sendable, Equatable {
    let account: StateKey
    let accountSource: StateKey?
    let source: StateKey?

    init(purpose: String, account: String, source: String?) throws {
        self.account = try Self.accountKey(purpose: purpose, account: account)
        if let source {
            // The source goes in the name, escaped like a scope, so the key stays in the account's slot.
            accountSource = try StateKey(
                namespace: LockoutPolicy.Namespace.accountSource, identifier: account,
                name: purpose + ":" + StateKey.escaping(source)
            )
            self.source = try StateKey(namespace: LockoutPolicy.Namespace.source, identifier: source, name: purpose)
        } else {
            accountSource = nil
            self.source = nil
        }
    }

    static func accountKey(purpose: String, account: String) throws -> StateKey {
        try StateKey(namespace: LockoutPolicy.Namespace.account, identifier: account, name: purpose)
    }
}
