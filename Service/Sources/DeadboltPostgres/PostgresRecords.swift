import DeadboltSignIn
import PostgresNIO

/// The columns each record is read from, in the order ``PostgresRecordReader`` decodes them; every `SELECT` and
/// `RETURNING` of a record names exactly these.
enum PostgresColumns {
    static let account = """
        id, email, state, password_hash, pin_hash, credential_version, sealed_phone, phone_last_four, \
        devices_revoked_at, created_at, credentials_changed_at
        """
    static let step = """
        digest, flow, flow_kind, step, account_id, email_key, previous, browser, address, created_at, expires_at, \
        consumed_at, payload
        """
    static let session = """
        id, token_digest, account_id, access, authenticated_at, created_at, last_seen_at, expires_at, device_label, \
        network, device_id
        """
    static let device = "id, token_digest, account_id, label, created_at, last_used_at, expires_at"
    static let network = "account_id, network, first_seen_at, last_seen_at"
    static let authenticator = "id, account_id, sealed_secret, label, created_at"
    static let proofing = "account_id, method, evidence_reference, approved_by, verified_at, sealed_facts"
    static let activity = "id, account_id, kind, at, network, device_label"
    static let message = """
        id, account_id, channel, body, is_sealed, carries_code, status, created_at, not_before, expires_at, attempts, \
        lease_owner, lease_expires_at, cancel_key, last_error, sent_at
        """
}

/// Reads one row's cells in order, checking every value against its model type; a value out of its domain is
/// ``DeadboltSignIn/SignInStoreError/corrupt(_:)`` naming the column, never the value.
struct PostgresRecordReader {
    private let cells: PostgresRandomAccessRow
    private var index = 0

    init(_ row: PostgresRow) {
        cells = row.makeRandomAccess()
    }

    private mutating func next<Value: PostgresDecodable>(_: Value.Type) throws -> Value {
        guard index < cells.count else { throw SignInStoreError.corrupt("a row has fewer columns than expected") }
        defer { index += 1 }
        do {
            return try cells[index].decode(Value.self)
        } catch {
            throw SignInStoreError.corrupt("column \(cells[index].columnName) did not decode")
        }
    }

    private func corrupt(_ column: Int) -> SignInStoreError {
        .corrupt("column \(cells[column].columnName) holds a value out of its domain")
    }

    mutating func text() throws -> String { try next(String.self) }
    mutating func optionalText() throws -> String? { try next(String?.self) }
    mutating func integer() throws -> Int { try next(Int.self) }
    mutating func int64() throws -> Int64 { try next(Int64.self) }
    mutating func bool() throws -> Bool { try next(Bool.self) }
    mutating func timestamp() throws -> Timestamp { Timestamp(millisecondsSinceEpoch: try next(Int64.self)) }

    mutating func optionalTimestamp() throws -> Timestamp? {
        try next(Int64?.self).map { Timestamp(millisecondsSinceEpoch: $0) }
    }

    mutating func identifier<Identifier: RandomIdentifier>(_: Identifier.Type) throws -> Identifier {
        let column = index
        guard let value = Identifier(rawValue: try text()) else { throw corrupt(column) }
        return value
    }

    mutating func optionalIdentifier<Identifier: RandomIdentifier>(_: Identifier.Type) throws -> Identifier? {
        let column = index
        guard let text = try optionalText() else { return nil }
        guard let value = Identifier(rawValue: text) else { throw corrupt(column) }
        return value
    }

    mutating func digest() throws -> TokenDigest {
        let column = index
        guard let value = TokenDigest(hex: try text()) else { throw corrupt(column) }
        return value
    }

    mutating func optionalDigest() throws -> TokenDigest? {
        let column = index
        guard let text = try optionalText() else { return nil }
        guard let value = TokenDigest(hex: text) else { throw corrupt(column) }
        return value
    }

    mutating func enumeration<Value: RawRepresentable<String>>(_: Value.Type) throws -> Value {
        let column = index
        guard let value = Value(rawValue: try text()) else { throw corrupt(column) }
        return value
    }

    mutating func email() throws -> EmailAddress {
        let column = index
        do {
            return try EmailAddress(try text())
        } catch {
            throw corrupt(column)
        }
    }

    mutating func optionalNetwork() throws -> NetworkPrefix? {
        try optionalText().map { NetworkPrefix(stored: $0) }
    }

    // MARK: Records

    mutating func account() throws -> AccountRecord {
        AccountRecord(
            id: try identifier(AccountID.self), email: try email(), state: try enumeration(AccountState.self),
            passwordHash: try optionalText(), pinHash: try optionalText(), credentialVersion: try int64(),
            sealedPhone: try optionalText(), phoneLastFour: try optionalText(), devicesRevokedAt: try optionalTimestamp(),
            createdAt: try timestamp(), credentialsChangedAt: try optionalTimestamp())
    }

    mutating func step() throws -> StepRecord {
        StepRecord(
            digest: try digest(), flow: try identifier(FlowID.self), flowKind: try enumeration(FlowKind.self),
            step: try enumeration(StepKind.self), account: try optionalIdentifier(AccountID.self), emailKey: try text(),
            previous: try optionalDigest(), browser: try digest(), address: try optionalText(),
            createdAt: try timestamp(), expiresAt: try timestamp(), consumedAt: try optionalTimestamp(),
            payload: try text())
    }

    mutating func session() throws -> SessionRecord {
        SessionRecord(
            id: try identifier(SessionID.self), tokenDigest: try digest(), account: try identifier(AccountID.self),
            access: try enumeration(SessionAccess.self), authenticatedAt: try timestamp(), createdAt: try timestamp(),
            lastSeenAt: try timestamp(), expiresAt: try timestamp(), deviceLabel: try text(),
            network: try optionalNetwork(), device: try optionalIdentifier(DeviceID.self))
    }

    mutating func device() throws -> RememberedDeviceRecord {
        RememberedDeviceRecord(
            id: try identifier(DeviceID.self), tokenDigest: try digest(), account: try identifier(AccountID.self),
            label: try text(), createdAt: try timestamp(), lastUsedAt: try timestamp(), expiresAt: try timestamp())
    }

    mutating func network() throws -> KnownNetworkRecord {
        KnownNetworkRecord(
            account: try identifier(AccountID.self), network: NetworkPrefix(stored: try text()),
            firstSeenAt: try timestamp(), lastSeenAt: try timestamp())
    }

    mutating func authenticator() throws -> AuthenticatorRecord {
        AuthenticatorRecord(
            id: try identifier(AuthenticatorID.self), account: try identifier(AccountID.self),
            sealedSecret: try text(), label: try text(), createdAt: try timestamp())
    }

    mutating func proofing() throws -> IdentityProofingRecord {
        IdentityProofingRecord(
            account: try identifier(AccountID.self), method: try enumeration(ProofingMethod.self),
            evidenceReference: try text(), approvedBy: try text(), verifiedAt: try timestamp(), sealedFacts: try text())
    }

    mutating func activity() throws -> ActivityRecord {
        ActivityRecord(
            id: try identifier(ActivityID.self), account: try identifier(AccountID.self),
            kind: try enumeration(ActivityKind.self), at: try timestamp(), network: try optionalNetwork(),
            deviceLabel: try optionalText())
    }

    mutating func message() throws -> OutboxMessage {
        OutboxMessage(
            id: try identifier(MessageID.self), account: try optionalIdentifier(AccountID.self),
            channel: try enumeration(DeliveryChannel.self), body: try text(), isSealed: try bool(),
            carriesCode: try bool(), status: try enumeration(MessageStatus.self), createdAt: try timestamp(),
            notBefore: try timestamp(), expiresAt: try optionalTimestamp(), attempts: try integer(),
            leaseOwner: try optionalText(), leaseExpiresAt: try optionalTimestamp(), cancelKey: try optionalText(),
            lastError: try optionalText(), sentAt: try optionalTimestamp())
    }
}

extension Array where Element == PostgresRow {
    /// Every row read with `read`.
    func records<Record>(_ read: (inout PostgresRecordReader) throws -> Record) throws -> [Record] {
        try map { row in
            var reader = PostgresRecordReader(row)
            return try read(&reader)
        }
    }
}
