import Deadbolt
import Foundation
import Synchronization

extension FlowContext {
    /// An outbox message for `notice` to `destination`, sealed when it carries a code or goes to a phone (the message
    /// id as associated data). A code message expires with its code.
    func message(
        _ notice: Notice, to destination: String, channel: DeliveryChannel, account: AccountID?,
        notBefore: Timestamp? = nil, cancelKey: String? = nil
    ) throws -> OutboxMessage {
        let id = try MessageID.random()
        let now = self.now
        let json = String(decoding: try JSONEncoder().encode(OutboxEnvelope(destination: destination, notice: notice)), as: UTF8.self)
        let sealed = notice.carriesCode || channel == .sms
        let body = sealed ? try seal(json, messageID: id) : json
        return OutboxMessage(
            id: id, account: account, channel: channel, body: body, isSealed: sealed, carriesCode: notice.carriesCode,
            status: .pending, createdAt: now, notBefore: notBefore ?? now,
            expiresAt: notice.carriesCode ? now.adding(configuration.issuedCodes.lifetime) : nil, attempts: 0,
            leaseOwner: nil, leaseExpiresAt: nil, cancelKey: cancelKey, lastError: nil, sentAt: nil)
    }

    /// The messages that tell every channel on file about `notice`: the email, and the phone when there is one.
    func notifyEveryChannel(_ notice: Notice, account: AccountRecord) throws -> [Change] {
        var changes: [Change] = [.enqueueMessage(try message(notice, to: account.email.address, channel: .email, account: account.id))]
        if let phone = try phoneNumber(of: account) {
            changes.append(.enqueueMessage(try message(notice, to: phone, channel: .sms, account: account.id)))
        }
        return changes
    }

    /// The phone on file, unsealed, or `nil`.
    func phoneNumber(of account: AccountRecord) throws -> String? {
        guard let sealed = account.sealedPhone else { return nil }
        return try unsealText(sealed, account: account.id.rawValue)
    }

    func seal(_ text: String, messageID: MessageID) throws -> String {
        try sealText(text, binding: "message:" + messageID.rawValue)
    }

    func sealText(_ text: String, binding: String) throws -> String {
        do {
            return try secrets.sealing.seal(Array(text.utf8), account: binding)
        } catch {
            throw SignInError.misconfigured("could not seal: \(error)")
        }
    }

    func unsealText(_ sealed: String, account binding: String) throws -> String {
        do {
            let opened = try secrets.sealing.unseal(sealed, account: binding)
            return opened.secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw SignInError.misconfigured("could not open a sealed value (a missing or wrong sealing key?): \(error)")
        }
    }

    /// `•••-•••-1234`.
    static func maskPhone(lastFour: String) -> String { "•••-•••-" + lastFour }

    /// The masked phone shown before the person has proven anything: the real last four when the account has a
    /// phone, otherwise four digits derived from the address under a server key, stable across requests, so the
    /// choices look the same whether the address has an account and whether it has a phone.
    func maskedPhoneForChoice(account: AccountRecord?, emailKey: String) throws -> String {
        if let lastFour = account?.phoneLastFour { return Self.maskPhone(lastFour: lastFour) }
        let tag = try HMAC.authenticationCode(for: Array("phone-mask.\(emailKey)".utf8), using: secrets.maskKey, hash: .sha256)
        let value = (UInt32(tag[0]) << 8 | UInt32(tag[1])) % 10_000
        let digits = String(value)
        return Self.maskPhone(lastFour: String(repeating: "0", count: 4 - digits.count) + digits)
    }

    /// Issues a code for `account` (a state-store identity) and `purpose`, bound to the flow, and writes the message
    /// `makeNotice` builds from it to the outbox (nothing when it returns `nil`: an unknown address, no phone). The
    /// work is the same either way.
    /// - Returns: `nil` when sent (or silently not), the cooldown or limit's wait otherwise.
    func sendCode(
        account: String, purpose: CodePurpose, binding: [UInt8], limitKey: String,
        makeMessage: @escaping @Sendable (String) throws -> OutboxMessage?
    ) async throws -> Duration? {
        if let wait = try await limitCodeSend(limitKey) { return wait }
        let delivery = OutboxCodeDelivery(store: store, makeMessage: makeMessage)
        do {
            let sender = try IssuedCodeSender(
                store: stateStore, delivery: delivery, hashingKey: secrets.codeHashingKey, policy: configuration.issuedCodes,
                events: events, wallClock: clock)
            switch try await sender.issue(account: account, purpose: purpose, binding: binding) {
            case .sent: return nil
            case .coolingDown: return configuration.issuedCodes.resendCooldown
            }
        } catch let error as SignInError {
            throw error
        } catch let error as SignInStoreError {
            logger.warning("could not write a code message", metadata: ["error": "\(error)"])
            throw SignInError.unavailable
        } catch is StateStoreError {
            throw SignInError.unavailable
        }
    }

    /// After a failed attempt: when it brought a lock, one "account locked" notice and activity entry per lock
    /// (a state-store claim for the lock's length dedupes racing failures).
    func noteFailure(_ ticket: AttemptTicket, policy: LockoutPolicy, account: AccountRecord?, kind: ActivityKind, client: ClientContext) async throws {
        guard let account else { return }
        var changes: [Change] = [try activity(kind, account: account.id, client: client)]
        if let failures = ticket.failures {
            let schedule = policy.configuration.account
            let hard = failures >= schedule.hardLockAfter
            let wait = schedule.wait(afterFailures: failures)
            if hard || wait > .zero {
                // Per credential version, like the lock itself: after an unlock, the next lock is a new one.
                let key = try StateKey(
                    namespace: "lock-notice", identifier: account.id.rawValue,
                    name: "\(policy.configuration.purpose):v\(account.credentialVersion)")
                let claimed = (try? await stateStore.claim(key, ttl: hard ? .seconds(86_400) : wait)) ?? false
                if claimed {
                    changes.append(try activity(hard ? .hardLocked : .locked, account: account.id, client: client))
                    changes.append(contentsOf: try notifyEveryChannel(.accountLocked(until: hard ? nil : now.adding(wait)), account: account))
                }
            }
        }
        try await commit(ChangeSet(changes))
    }
}

/// The engine's ``Deadbolt/CodeDelivery`` for the sign-in system: writes the (sealed) message to the outbox, in a
/// change set of its own, so the delivery worker sends it. The code never leaves the process any other way.
struct OutboxCodeDelivery: CodeDelivery {
    let store: any SignInStore
    let makeMessage: @Sendable (String) throws -> OutboxMessage?

    func send(code: String, to account: String, purpose: CodePurpose) async throws {
        guard let message = try makeMessage(code) else { return }
        try await store.apply(ChangeSet([.enqueueMessage(message)]))
    }
}
