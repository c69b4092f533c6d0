import Deadbolt
import DeadboltSignIn

/// Records for the cases: valid, distinct, at fixed times.
enum Fixture {
    static let t0 = Timestamp(millisecondsSinceEpoch: 1_735_689_600_000)

    static func at(_ seconds: Int64) -> Timestamp { t0.adding(.seconds(seconds)) }

    static func id<T: RandomIdentifier>(_ type: T.Type = T.self) throws -> T {
        try T.random()
    }

    static func digest() throws -> TokenDigest {
        guard let digest = TokenDigest(bytes: try SecureRandom.bytes(count: 32)) else {
            throw ConformanceFailure("a 32-byte digest was refused")
        }
        return digest
    }

    static func account(_ email: String, id: AccountID? = nil, at time: Timestamp = t0) throws -> AccountRecord {
        AccountRecord(
            id: try id ?? Self.id(), email: try EmailAddress(email), state: .active, passwordHash: "$argon2id$password", pinHash: "$argon2id$pin",
            credentialVersion: 1, sealedPhone: nil, phoneLastFour: nil, devicesRevokedAt: nil, createdAt: time,
            credentialsChangedAt: nil)
    }

    static func step(
        account: AccountID?, emailKey: String = "someone@example.com", flow: FlowID? = nil, kind: StepKind = .password,
        created: Timestamp = t0, lifetime: Duration = .seconds(600), previous: TokenDigest? = nil
    ) throws -> StepRecord {
        StepRecord(
            digest: try digest(), flow: try flow ?? id(), flowKind: .signIn, step: kind, account: account, emailKey: emailKey,
            previous: previous, browser: try digest(), address: "192.0.2.1", createdAt: created,
            expiresAt: created.adding(lifetime), consumedAt: nil, payload: #"{"k":"v"}"#)
    }

    static func session(account: AccountID, created: Timestamp = t0, lifetime: Duration = .seconds(43_200)) throws -> SessionRecord {
        SessionRecord(
            id: try id(), tokenDigest: try digest(), account: account, access: .full, authenticatedAt: created, createdAt: created,
            lastSeenAt: created, expiresAt: created.adding(lifetime), deviceLabel: "Firefox on Linux",
            network: NetworkPrefix(stored: "192.0.0.0/16"), device: nil)
    }

    static func device(account: AccountID, created: Timestamp = t0, lifetime: Duration = .seconds(30 * 86_400)) throws -> RememberedDeviceRecord {
        RememberedDeviceRecord(
            id: try id(), tokenDigest: try digest(), account: account, label: "Firefox on Linux", createdAt: created,
            lastUsedAt: created, expiresAt: created.adding(lifetime))
    }

    static func activity(account: AccountID, kind: ActivityKind = .signedIn, at time: Timestamp) throws -> ActivityRecord {
        ActivityRecord(
            id: try id(), account: account, kind: kind, at: time, network: NetworkPrefix(stored: "192.0.0.0/16"),
            deviceLabel: "Firefox on Linux")
    }

    static func message(
        account: AccountID?, carriesCode: Bool = false, notBefore: Timestamp = t0, expiresAt: Timestamp? = nil,
        cancelKey: String? = nil
    ) throws -> OutboxMessage {
        OutboxMessage(
            id: try id(), account: account, channel: .email, body: carriesCode ? "v1.k.sealed" : #"{"notice":"x"}"#,
            isSealed: carriesCode, carriesCode: carriesCode, status: .pending, createdAt: t0, notBefore: notBefore,
            expiresAt: expiresAt, attempts: 0, leaseOwner: nil, leaseExpiresAt: nil, cancelKey: cancelKey, lastError: nil,
            sentAt: nil)
    }
}
