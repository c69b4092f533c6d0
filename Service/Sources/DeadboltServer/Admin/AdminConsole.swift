import Deadbolt
import DeadboltSignIn
import Foundation
import Logging

/// The operator's commands (`deadbolt-server admin …`), run in their own process against the same database, keys
/// and state store as the server. They print status, never a secret, a code or a personal fact.
public struct AdminConsole: Sendable {
    let system: SignInSystem
    let stateStore: StateStoreLocation
    let close: @Sendable () -> Void
    let closeStore: @Sendable () async -> Void

    /// Opens the sign-in system of `configuration` without serving HTTP.
    ///
    /// - Throws: ``ConfigurationError`` as the server would at start.
    public static func open(_ configuration: ServerConfiguration) async throws -> AdminConsole {
        try configuration.validate()
        guard
            FileManager.default.fileExists(atPath: configuration.dataFolder)
                || configuration.keySources.values.allSatisfy({
                    if case .dataFolder = $0 { false } else { true }
                })
        else {
            throw ConfigurationError.dataFolder(
                "there is no data folder at \(configuration.dataFolder): start the server once first, or pass --data")
        }
        let keys = try ServerKeys.load(configuration.keySources, environment: ProcessInfo.processInfo.environment)
        let pool = HashingPool(memoryBytes: configuration.hashingMemoryBudgetBytes, admissionTimeout: .seconds(30))
        let opened = try StateStores.open(configuration.stateStore)
        var logger = Logger(label: "deadbolt.admin")
        logger.logLevel = .warning
        let accounts = try await SignInWiring.openStore(configuration, logger: logger)
        let system = try await SignInWiring.system(
            configuration: configuration, store: accounts.store, keys: keys, pool: pool, stateStore: opened.store,
            metrics: ServerMetrics(pool: pool), publicOrigin: configuration.origin(boundPort: configuration.port),
            logger: logger)
        return AdminConsole(
            system: system, stateStore: configuration.stateStore, close: opened.close, closeStore: accounts.shutdown)
    }

    /// Records the operator's identity approval for `email`, with the person's facts read from `factsText`
    /// (`birth-date: YYYY-MM-DD`, `ssn-last-four: NNNN`, `phone: +…`, one a line; each optional).
    ///
    /// - Returns: what happened, for the operator.
    /// - Throws: ``AdminError`` for bad input or an unknown account; ``SignInError/unavailable``.
    public func verifyIdentity(email: String, factsText: String, approvedBy: String, evidence: String) async throws
        -> String
    {
        let address = try Self.email(email)
        let facts = try Self.facts(factsText)
        let proof: IdentityProof
        do {
            proof = try IdentityProof(
                method: .operatorApproval, evidenceReference: evidence, approvedBy: approvedBy, facts: facts)
        } catch let error as SignInError {
            throw AdminError.invalid(error.description)
        }
        do {
            switch try await system.identity.record(proof, email: address) {
            case .verified:
                return "Identity verified for \(address.address). At their next sign-in they will choose a PIN."
            case .reverified(_, let reenrollment):
                // The one place the code is shown: the operator hands it to the person now (it is stored only as a
                // keyed digest), so it goes to the operator's terminal and nowhere else.
                return
                    "Identity verified again for \(address.address): the old PIN and password no longer work, every session ended and every device was forgotten.\nGive them this one-time re-enrollment code now (it is shown only once and works until \(reenrollment.expiresAt)): \(reenrollment.code)\nThey use Forgot password, enter the emailed code, then this code, choose a new password, and choose a PIN at their next sign-in."
            }
        } catch SignInError.notFound {
            throw AdminError.noAccount(address.address)
        }
    }

    /// Lifts every lock on `email`'s account.
    public func unlock(email: String) async throws -> String {
        let address = try Self.email(email)
        do { try await system.administration.unlock(email: address) } catch SignInError.notFound {
            throw AdminError.noAccount(address.address)
        }
        var text = "Unlocked \(address.address)."
        if stateStore == .memory {
            text += " Note: with limits in memory, a running server keeps its own locks; restart it to clear them."
        }
        return text
    }

    /// The account's status (state, verification, locks, counts), never a secret.
    public func show(email: String) async throws -> String {
        let address = try Self.email(email)
        guard let status = try await system.administration.status(email: address) else {
            throw AdminError.noAccount(address.address)
        }
        var lines = [
            "account:             \(status.id.rawValue)",
            "email:               \(status.email.address)",
            "state:               \(status.state.rawValue)",
            "created:             \(WaitText.date(status.createdAt))",
            "identity verified:   \(status.identityVerifiedAt.map { "\(WaitText.date($0)) by \(status.identityApprovedBy ?? "?")" } ?? "no")",
            "password lock:       \(Self.describe(status.passwordLock))",
            "PIN lock:            \(Self.describe(status.pinLock))",
            "sessions:            \(status.sessions)",
            "remembered devices:  \(status.rememberedDevices)",
            "authenticator apps:  \(status.authenticators)",
            "recovery codes left: \(status.recoveryCodesLeft)",
            "phone on file:       \(status.hasPhone ? "yes" : "no")",
        ]
        if stateStore == .memory {
            lines.append("(limits are in the running server's memory: the locks above are this process's view)")
        }
        return lines.joined(separator: "\n")
    }

    /// Closes the state store.
    public func shutdown() async {
        close()
        await closeStore()
    }

    static func describe(_ status: LockoutStatus) -> String {
        if status.hardLocked { return "hard-locked after \(status.failures) failures" }
        if let retryAfter = status.retryAfter {
            return "locked, open again \(WaitText.phrase(retryAfter)) (\(status.failures) failures)"
        }
        return status.failures == 0 ? "none" : "none (\(status.failures) recent failures)"
    }

    static func email(_ text: String) throws -> EmailAddress {
        do { return try EmailAddress(text) } catch {
            throw AdminError.invalid("'\(text.prefix(254))' is not an email address")
        }
    }

    /// Reads `key: value` lines (at most 4 KiB); unknown keys are refused.
    static func facts(_ text: String) throws -> PersonalFacts {
        guard text.utf8.count <= 4096 else {
            throw AdminError.invalid("the facts on standard input are longer than 4 KiB")
        }
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(where: { $0 == ":" || $0 == "=" }) else {
                throw AdminError.invalid("each line of the facts is 'name: value' (birth-date, ssn-last-four, phone)")
            }
            let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard ["birth-date", "ssn-last-four", "phone"].contains(name) else {
                throw AdminError.invalid("unknown fact '\(name.prefix(40))': use birth-date, ssn-last-four or phone")
            }
            values[name] = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        do {
            return try PersonalFacts(
                birthDate: values["birth-date"], ssnLastFour: values["ssn-last-four"], phoneNumber: values["phone"])
        } catch let error as SignInError {
            throw AdminError.invalid(error.description)
        }
    }
}

/// Why an operator command failed (never a secret or a personal fact).
public enum AdminError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input cannot be used.
    case invalid(String)
    /// No account has this address.
    case noAccount(String)

    public var description: String {
        switch self {
        case .invalid(let reason): reason
        case .noAccount(let email): "no account has the address \(email)"
        }
    }
}
