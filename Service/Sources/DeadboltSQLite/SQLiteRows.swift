import DeadboltSignIn
import Foundation
import GRDB

/// Reads typed values out of rows without trapping: a value out of its domain (a row changed outside the store)
/// is ``DeadboltSignIn/SignInStoreError/corrupt(_:)``, never a crash.
struct RowReader {
    let row: Row

    func text(_ column: String) throws -> String {
        guard let value = String.fromDatabaseValue(row[column] as DatabaseValue) else { throw corrupt(column) }
        return value
    }

    func optionalText(_ column: String) throws -> String? {
        let value = row[column] as DatabaseValue
        if value.isNull { return nil }
        return try text(column)
    }

    func integer(_ column: String) throws -> Int64 {
        guard let value = Int64.fromDatabaseValue(row[column] as DatabaseValue) else { throw corrupt(column) }
        return value
    }

    func bool(_ column: String) throws -> Bool { try integer(column) != 0 }

    func time(_ column: String) throws -> Timestamp { Timestamp(millisecondsSinceEpoch: try integer(column)) }

    func optionalTime(_ column: String) throws -> Timestamp? {
        (row[column] as DatabaseValue).isNull ? nil : try time(column)
    }

    func digest(_ column: String) throws -> TokenDigest {
        guard let data = Data.fromDatabaseValue(row[column] as DatabaseValue), let digest = TokenDigest(bytes: Array(data)) else {
            throw corrupt(column)
        }
        return digest
    }

    func optionalDigest(_ column: String) throws -> TokenDigest? {
        (row[column] as DatabaseValue).isNull ? nil : try digest(column)
    }

    func identifier<T: RandomIdentifier>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = T(rawValue: try text(column)) else { throw corrupt(column) }
        return value
    }

    func optionalIdentifier<T: RandomIdentifier>(_ column: String, as type: T.Type = T.self) throws -> T? {
        (row[column] as DatabaseValue).isNull ? nil : try identifier(column, as: type)
    }

    func value<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try text(column)) else { throw corrupt(column) }
        return value
    }

    private func corrupt(_ column: String) -> SignInStoreError { .corrupt("column \(column) holds a value out of its domain") }
}

extension TokenDigest {
    var blob: Data { Data(bytes) }
}

extension Timestamp {
    var sql: Int64 { millisecondsSinceEpoch }
}

enum Decode {
    static func account(_ row: Row) throws -> AccountRecord {
        let r = RowReader(row: row)
        let email: EmailAddress
        do {
            email = try EmailAddress(try r.text("email"))
        } catch {
            throw SignInStoreError.corrupt("column email holds an address that does not normalize")
        }
        return AccountRecord(
            id: try r.identifier("id"), email: email, state: try r.value("state"), passwordHash: try r.optionalText("password_hash"),
            pinHash: try r.optionalText("pin_hash"), credentialVersion: try r.integer("credential_version"),
            sealedPhone: try r.optionalText("sealed_phone"), phoneLastFour: try r.optionalText("phone_last_four"),
            devicesRevokedAt: try r.optionalTime("devices_revoked_at"), createdAt: try r.time("created_at"),
            credentialsChangedAt: try r.optionalTime("credentials_changed_at"))
    }

    static func step(_ row: Row) throws -> StepRecord {
        let r = RowReader(row: row)
        return StepRecord(
            digest: try r.digest("digest"), flow: try r.identifier("flow"), flowKind: try r.value("flow_kind"), step: try r.value("step"),
            account: try r.optionalIdentifier("account_id"), emailKey: try r.text("email_key"), previous: try r.optionalDigest("previous"),
            browser: try r.digest("browser"), address: try r.optionalText("address"), createdAt: try r.time("created_at"),
            expiresAt: try r.time("expires_at"), consumedAt: try r.optionalTime("consumed_at"), payload: try r.text("payload"))
    }

    static func session(_ row: Row) throws -> SessionRecord {
        let r = RowReader(row: row)
        return SessionRecord(
            id: try r.identifier("id"), tokenDigest: try r.digest("token_digest"), account: try r.identifier("account_id"),
            access: try r.value("access"), authenticatedAt: try r.time("authenticated_at"), createdAt: try r.time("created_at"),
            lastSeenAt: try r.time("last_seen_at"), expiresAt: try r.time("expires_at"), deviceLabel: try r.text("device_label"),
            network: try r.optionalText("network").map(NetworkPrefix.init(stored:)), device: try r.optionalIdentifier("device_id"))
    }

    static func device(_ row: Row) throws -> RememberedDeviceRecord {
        let r = RowReader(row: row)
        return RememberedDeviceRecord(
            id: try r.identifier("id"), tokenDigest: try r.digest("token_digest"), account: try r.identifier("account_id"),
            label: try r.text("label"), createdAt: try r.time("created_at"), lastUsedAt: try r.time("last_used_at"),
            expiresAt: try r.time("expires_at"))
    }

    static func authenticator(_ row: Row) throws -> AuthenticatorRecord {
        let r = RowReader(row: row)
        return AuthenticatorRecord(
            id: try r.identifier("id"), account: try r.identifier("account_id"), sealedSecret: try r.text("sealed_secret"),
            label: try r.text("label"), createdAt: try r.time("created_at"))
    }

    static func proofing(_ row: Row) throws -> IdentityProofingRecord {
        let r = RowReader(row: row)
        return IdentityProofingRecord(
            account: try r.identifier("account_id"), method: try r.value("method"), evidenceReference: try r.text("evidence_reference"),
            approvedBy: try r.text("approved_by"), verifiedAt: try r.time("verified_at"), sealedFacts: try r.text("sealed_facts"))
    }

    static func activity(_ row: Row) throws -> ActivityRecord {
        let r = RowReader(row: row)
        return ActivityRecord(
            id: try r.identifier("id"), account: try r.identifier("account_id"), kind: try r.value("kind"), at: try r.time("at"),
            network: try r.optionalText("network").map(NetworkPrefix.init(stored:)), deviceLabel: try r.optionalText("device_label"))
    }

    static func message(_ row: Row) throws -> OutboxMessage {
        let r = RowReader(row: row)
        return OutboxMessage(
            id: try r.identifier("id"), account: try r.optionalIdentifier("account_id"), channel: try r.value("channel"),
            body: try r.text("body"), isSealed: try r.bool("is_sealed"), carriesCode: try r.bool("carries_code"),
            status: try r.value("status"), createdAt: try r.time("created_at"), notBefore: try r.time("not_before"),
            expiresAt: try r.optionalTime("expires_at"), attempts: Int(try r.integer("attempts")), leaseOwner: try r.optionalText("lease_owner"),
            leaseExpiresAt: try r.optionalTime("lease_expires_at"), cancelKey: try r.optionalText("cancel_key"),
            lastError: try r.optionalText("last_error"), sentAt: try r.optionalTime("sent_at"))
    }
}
