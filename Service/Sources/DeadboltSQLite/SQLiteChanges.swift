import DeadboltSignIn
import GRDB

/// Each ``DeadboltSignIn/Change`` as parameterized SQL inside the change set's transaction. A precondition is an
/// `UPDATE`/`DELETE` whose changed-row count must be one, or an existence check before an `INSERT` (SQLite's single
/// writer means no other transaction runs between the check and the insert).
enum SQLiteChanges {
    /// Applies `change`; returns the failed precondition, or `nil`.
    static func apply(_ change: Change, _ db: Database) throws -> ChangeConflict? {
        switch change {
        case .insertAccount(let account):
            if try exists(db, "SELECT 1 FROM account WHERE email_key = ?", [account.email.comparisonKey]) { return .emailTaken }
            if try exists(db, "SELECT 1 FROM account WHERE id = ?", [account.id.rawValue]) { return .duplicate }
            try db.execute(
                sql: """
                    INSERT INTO account (id, email, email_key, state, password_hash, pin_hash, credential_version, sealed_phone,
                        phone_last_four, devices_revoked_at, created_at, credentials_changed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    account.id.rawValue, account.email.address, account.email.comparisonKey, account.state.rawValue, account.passwordHash,
                    account.pinHash, account.credentialVersion, account.sealedPhone, account.phoneLastFour, account.devicesRevokedAt?.sql,
                    account.createdAt.sql, account.credentialsChangedAt?.sql,
                ])
        case .setPasswordHash(let account, let hash, let version, let at):
            return try expectOne(
                db, "UPDATE account SET password_hash = ?, credential_version = credential_version + 1, credentials_changed_at = ? WHERE id = ? AND credential_version = ?",
                [hash, at.sql, account.rawValue, version], else: .credentialVersionChanged)
        case .setPINHash(let account, let hash, let version, let at):
            return try expectOne(
                db, "UPDATE account SET pin_hash = ?, credential_version = credential_version + 1, credentials_changed_at = ? WHERE id = ? AND credential_version = ?",
                [hash, at.sql, account.rawValue, version], else: .credentialVersionChanged)
        case .rehashCredential(let account, let credential, let previous, let hash):
            let column = credential == .password ? "password_hash" : "pin_hash"
            return try expectOne(
                db, "UPDATE account SET \(column) = ? WHERE id = ? AND \(column) = ?", [hash, account.rawValue, previous],
                else: .credentialVersionChanged)
        case .setAccountState(let account, let state):
            return try expectOne(db, "UPDATE account SET state = ? WHERE id = ?", [state.rawValue, account.rawValue], else: .accountMissing)
        case .setPhone(let account, let sealed, let lastFour):
            return try expectOne(
                db, "UPDATE account SET sealed_phone = ?, phone_last_four = ? WHERE id = ?", [sealed, lastFour, account.rawValue],
                else: .accountMissing)
        case .revokeDevices(let account, let at):
            if let conflict = try expectOne(
                db, "UPDATE account SET devices_revoked_at = ? WHERE id = ?", [at.sql, account.rawValue], else: .accountMissing)
            {
                return conflict
            }
            try db.execute(sql: "DELETE FROM remembered_device WHERE account_id = ?", arguments: [account.rawValue])
        case .deleteAccount(let account):
            if let conflict = try expectOne(db, "DELETE FROM account WHERE id = ?", [account.rawValue], else: .accountMissing) {
                return conflict
            }
            // Every other row of the account goes by ON DELETE CASCADE; its pending messages have no foreign key
            // (a notice written after the deletion must survive it), so they go here.
            try db.execute(sql: "DELETE FROM outbox WHERE account_id = ? AND status = 'pending'", arguments: [account.rawValue])

        case .insertStep(let step):
            if try exists(db, "SELECT 1 FROM step WHERE digest = ?", [step.digest.blob]) { return .duplicate }
            if let account = step.account, try !exists(db, "SELECT 1 FROM account WHERE id = ?", [account.rawValue]) { return .accountMissing }
            try db.execute(
                sql: """
                    INSERT INTO step (digest, flow, flow_kind, step, account_id, email_key, previous, browser, address, created_at,
                        expires_at, consumed_at, payload)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    step.digest.blob, step.flow.rawValue, step.flowKind.rawValue, step.step.rawValue, step.account?.rawValue, step.emailKey,
                    step.previous?.blob, step.browser.blob, step.address, step.createdAt.sql, step.expiresAt.sql, step.consumedAt?.sql,
                    step.payload,
                ])
        case .consumeStep(let digest, let now):
            return try expectOne(
                db, "UPDATE step SET consumed_at = ? WHERE digest = ? AND consumed_at IS NULL AND expires_at > ?",
                [now.sql, digest.blob, now.sql], else: .stepUnavailable)

        case .insertSession(let session):
            if try exists(db, "SELECT 1 FROM session WHERE id = ? OR token_digest = ?", [session.id.rawValue, session.tokenDigest.blob]) {
                return .duplicate
            }
            if try !exists(db, "SELECT 1 FROM account WHERE id = ?", [session.account.rawValue]) { return .accountMissing }
            try db.execute(
                sql: """
                    INSERT INTO session (id, token_digest, account_id, access, authenticated_at, created_at, last_seen_at, expires_at,
                        device_label, network, device_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id.rawValue, session.tokenDigest.blob, session.account.rawValue, session.access.rawValue,
                    session.authenticatedAt.sql, session.createdAt.sql, session.lastSeenAt.sql, session.expiresAt.sql, session.deviceLabel,
                    session.network?.text, session.device?.rawValue,
                ])
        case .touchSession(let id, let at):
            return try expectOne(db, "UPDATE session SET last_seen_at = ? WHERE id = ?", [at.sql, id.rawValue], else: .sessionMissing)
        case .reauthenticateSession(let id, let at):
            return try expectOne(db, "UPDATE session SET authenticated_at = ? WHERE id = ?", [at.sql, id.rawValue], else: .sessionMissing)
        case .endSession(let id, let account):
            return try expectOne(db, "DELETE FROM session WHERE id = ? AND account_id = ?", [id.rawValue, account.rawValue], else: .sessionMissing)
        case .endSessions(let account, let except):
            try db.execute(
                sql: "DELETE FROM session WHERE account_id = ? AND (? IS NULL OR id <> ?)",
                arguments: [account.rawValue, except?.rawValue, except?.rawValue])
        case .insertRememberedDevice(let device):
            if try exists(db, "SELECT 1 FROM remembered_device WHERE id = ? OR token_digest = ?", [device.id.rawValue, device.tokenDigest.blob]) {
                return .duplicate
            }
            if try !exists(db, "SELECT 1 FROM account WHERE id = ?", [device.account.rawValue]) { return .accountMissing }
            try db.execute(
                sql: """
                    INSERT INTO remembered_device (id, token_digest, account_id, label, created_at, last_used_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    device.id.rawValue, device.tokenDigest.blob, device.account.rawValue, device.label, device.createdAt.sql,
                    device.lastUsedAt.sql, device.expiresAt.sql,
                ])
        case .touchRememberedDevice(let id, let at):
            return try expectOne(db, "UPDATE remembered_device SET last_used_at = ? WHERE id = ?", [at.sql, id.rawValue], else: .deviceMissing)
        case .deleteRememberedDevice(let id, let account):
            return try expectOne(
                db, "DELETE FROM remembered_device WHERE id = ? AND account_id = ?", [id.rawValue, account.rawValue], else: .deviceMissing)
        case .recordNetwork(let account, let network, let at):
            if try !exists(db, "SELECT 1 FROM account WHERE id = ?", [account.rawValue]) { return .accountMissing }
            try db.execute(
                sql: """
                    INSERT INTO known_network (account_id, network, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (account_id, network) DO UPDATE SET last_seen_at = excluded.last_seen_at
                    """,
                arguments: [account.rawValue, network.text, at.sql, at.sql])

        case .insertAuthenticator(let authenticator):
            if try exists(db, "SELECT 1 FROM authenticator WHERE id = ?", [authenticator.id.rawValue]) { return .duplicate }
            if try !exists(db, "SELECT 1 FROM account WHERE id = ?", [authenticator.account.rawValue]) { return .accountMissing }
            try db.execute(
                sql: "INSERT INTO authenticator (id, account_id, sealed_secret, label, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    authenticator.id.rawValue, authenticator.account.rawValue, authenticator.sealedSecret, authenticator.label,
                    authenticator.createdAt.sql,
                ])
        case .deleteAuthenticator(let id, let account):
            return try expectOne(
                db, "DELETE FROM authenticator WHERE id = ? AND account_id = ?", [id.rawValue, account.rawValue], else: .authenticatorMissing)
        case .replaceRecoveryCodes(let account, let digests, let at):
            if try !exists(db, "SELECT 1 FROM account WHERE id = ?", [account.rawValue]) { return .accountMissing }
            try db.execute(sql: "DELETE FROM recovery_code WHERE account_id = ?", arguments: [account.rawValue])
            for digest in digests {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO recovery_code (account_id, digest, created_at) VALUES (?, ?, ?)",
                    arguments: [account.rawValue, digest, at.sql])
            }
        case .consumeRecoveryCode(let account, let digest):
            return try expectOne(
                db, "DELETE FROM recovery_code WHERE account_id = ? AND digest = ?", [account.rawValue, digest], else: .recoveryCodeMissing)
        case .putIdentityProofing(let proofing):
            if try !exists(db, "SELECT 1 FROM account WHERE id = ?", [proofing.account.rawValue]) { return .accountMissing }
            try db.execute(
                sql: """
                    INSERT INTO identity_proofing (account_id, method, evidence_reference, approved_by, verified_at, sealed_facts)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (account_id) DO UPDATE SET method = excluded.method, evidence_reference = excluded.evidence_reference,
                        approved_by = excluded.approved_by, verified_at = excluded.verified_at, sealed_facts = excluded.sealed_facts
                    """,
                arguments: [
                    proofing.account.rawValue, proofing.method.rawValue, proofing.evidenceReference, proofing.approvedBy,
                    proofing.verifiedAt.sql, proofing.sealedFacts,
                ])

        case .appendActivity(let entry):
            if try exists(db, "SELECT 1 FROM activity WHERE id = ?", [entry.id.rawValue]) { return .duplicate }
            if try !exists(db, "SELECT 1 FROM account WHERE id = ?", [entry.account.rawValue]) { return .accountMissing }
            try db.execute(
                sql: "INSERT INTO activity (id, account_id, kind, at, network, device_label) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [entry.id.rawValue, entry.account.rawValue, entry.kind.rawValue, entry.at.sql, entry.network?.text, entry.deviceLabel])
        case .enqueueMessage(let message):
            if try exists(db, "SELECT 1 FROM outbox WHERE id = ?", [message.id.rawValue]) { return .duplicate }
            try db.execute(
                sql: """
                    INSERT INTO outbox (id, account_id, channel, body, is_sealed, carries_code, status, created_at, not_before, expires_at,
                        attempts, lease_owner, lease_expires_at, cancel_key, last_error, sent_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    message.id.rawValue, message.account?.rawValue, message.channel.rawValue, message.body, message.isSealed,
                    message.carriesCode, message.status.rawValue, message.createdAt.sql, message.notBefore.sql, message.expiresAt?.sql,
                    message.attempts, message.leaseOwner, message.leaseExpiresAt?.sql, message.cancelKey, message.lastError,
                    message.sentAt?.sql,
                ])
        case .cancelMessages(let account, let key):
            try db.execute(
                sql: "UPDATE outbox SET status = 'cancelled' WHERE account_id = ? AND cancel_key = ? AND status = 'pending'",
                arguments: [account.rawValue, key])
        }
        return nil
    }

    private static func exists(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (\(sql))", arguments: arguments) ?? false
    }

    private static func expectOne(_ db: Database, _ sql: String, _ arguments: StatementArguments, else conflict: ChangeConflict) throws -> ChangeConflict? {
        try db.execute(sql: sql, arguments: arguments)
        return db.changesCount == 1 ? nil : conflict
    }
}
