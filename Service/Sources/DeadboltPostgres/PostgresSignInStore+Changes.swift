import DeadboltSignIn
import Logging
import PostgresNIO

/// Change sets: one `SERIALIZABLE` transaction each, every precondition a conditional write whose row count (or
/// unique index) decides it.
extension PostgresSignInStore {
    public func apply(_ changes: ChangeSet) async throws {
        try PostgresChangeBounds.check(changes)
        let logger = executor.logger
        let injector = faultInjector
        try await storeErrors {
            try await executor.transaction(.serializable) { connection in
                try injector?.checkpoint(appliedChanges: 0)
                for (index, change) in changes.changes.enumerated() {
                    let writer = PostgresChangeWriter(connection: connection, logger: logger, index: index)
                    try await writer.apply(change)
                    try injector?.checkpoint(appliedChanges: index + 1)
                }
            }
        }
    }
}

/// Applies one ``DeadboltSignIn/Change`` inside a change set's transaction.
struct PostgresChangeWriter {
    let connection: PostgresConnection
    let logger: Logger
    /// The change's position in its set, for ``DeadboltSignIn/SignInStoreError/conflict(index:reason:)``.
    let index: Int

    func apply(_ change: Change) async throws {
        switch change {
        case .insertAccount(let account):
            // The email first, as every store reports it when both the email and the id are taken.
            try await absent(
                "SELECT 1 FROM accounts WHERE email_key = \(account.email.comparisonKey)", else: .emailTaken)
            try await insert(
                """
                INSERT INTO accounts (\(unescaped: PostgresColumns.account), email_key) VALUES (
                    \(account.id.rawValue), \(account.email.address), \(account.state.rawValue), \(account.passwordHash),
                    \(account.pinHash), \(account.credentialVersion), \(account.sealedPhone), \(account.phoneLastFour),
                    \(account.devicesRevokedAt?.millisecondsSinceEpoch), \(account.createdAt.millisecondsSinceEpoch),
                    \(account.credentialsChangedAt?.millisecondsSinceEpoch), \(account.email.comparisonKey))
                """)

        case .setPasswordHash(let account, let hash, let expectedVersion, let at):
            try await update(
                """
                UPDATE accounts SET password_hash = \(hash), credential_version = credential_version + 1,
                    credentials_changed_at = \(at.millisecondsSinceEpoch)
                WHERE id = \(account.rawValue) AND credential_version = \(expectedVersion) RETURNING 1
                """, else: .credentialVersionChanged)

        case .setPINHash(let account, let hash, let expectedVersion, let at):
            try await update(
                """
                UPDATE accounts SET pin_hash = \(hash), credential_version = credential_version + 1,
                    credentials_changed_at = \(at.millisecondsSinceEpoch)
                WHERE id = \(account.rawValue) AND credential_version = \(expectedVersion) RETURNING 1
                """, else: .credentialVersionChanged)

        case .rehashCredential(let account, .password, let previous, let hash):
            try await update(
                """
                UPDATE accounts SET password_hash = \(hash)
                WHERE id = \(account.rawValue) AND password_hash = \(previous) RETURNING 1
                """, else: .credentialVersionChanged)

        case .rehashCredential(let account, .pin, let previous, let hash):
            try await update(
                """
                UPDATE accounts SET pin_hash = \(hash)
                WHERE id = \(account.rawValue) AND pin_hash = \(previous) RETURNING 1
                """, else: .credentialVersionChanged)

        case .setAccountState(let account, let state):
            try await update(
                "UPDATE accounts SET state = \(state.rawValue) WHERE id = \(account.rawValue) RETURNING 1",
                else: .accountMissing)

        case .setPhone(let account, let sealedPhone, let lastFour):
            try await update(
                """
                UPDATE accounts SET sealed_phone = \(sealedPhone), phone_last_four = \(lastFour)
                WHERE id = \(account.rawValue) RETURNING 1
                """, else: .accountMissing)

        case .revokeDevices(let account, let at):
            try await update(
                """
                UPDATE accounts SET devices_revoked_at = \(at.millisecondsSinceEpoch)
                WHERE id = \(account.rawValue) RETURNING 1
                """, else: .accountMissing)
            try await run("DELETE FROM remembered_devices WHERE account_id = \(account.rawValue)")

        case .deleteAccount(let account):
            // The account's rows go with it (ON DELETE CASCADE); its pending messages have no foreign key (a
            // notice written after the deletion must survive it), so they go here.
            try await update("DELETE FROM accounts WHERE id = \(account.rawValue) RETURNING 1", else: .accountMissing)
            try await run("DELETE FROM outbox_messages WHERE account_id = \(account.rawValue) AND status = 'pending'")

        case .insertStep(let step):
            try await insert(
                """
                INSERT INTO steps (\(unescaped: PostgresColumns.step)) VALUES (
                    \(step.digest.hex), \(step.flow.rawValue), \(step.flowKind.rawValue), \(step.step.rawValue),
                    \(step.account?.rawValue), \(step.emailKey), \(step.previous?.hex), \(step.browser.hex), \(step.address),
                    \(step.createdAt.millisecondsSinceEpoch), \(step.expiresAt.millisecondsSinceEpoch),
                    \(step.consumedAt?.millisecondsSinceEpoch), \(step.payload))
                """)

        case .consumeStep(let digest, let now):
            // The one-winner point of every step: of two transactions consuming one token, PostgreSQL lets one
            // update the row; the other (serializable) is aborted, retried, and then matches no row.
            try await update(
                """
                UPDATE steps SET consumed_at = \(now.millisecondsSinceEpoch)
                WHERE digest = \(digest.hex) AND consumed_at IS NULL AND expires_at > \(now.millisecondsSinceEpoch)
                RETURNING 1
                """, else: .stepUnavailable)

        case .insertSession(let session):
            try await insert(
                """
                INSERT INTO sessions (\(unescaped: PostgresColumns.session)) VALUES (
                    \(session.id.rawValue), \(session.tokenDigest.hex), \(session.account.rawValue),
                    \(session.access.rawValue), \(session.authenticatedAt.millisecondsSinceEpoch),
                    \(session.createdAt.millisecondsSinceEpoch), \(session.lastSeenAt.millisecondsSinceEpoch),
                    \(session.expiresAt.millisecondsSinceEpoch), \(session.deviceLabel), \(session.network?.text),
                    \(session.device?.rawValue))
                """)

        case .touchSession(let session, let at):
            try await update(
                "UPDATE sessions SET last_seen_at = \(at.millisecondsSinceEpoch) WHERE id = \(session.rawValue) RETURNING 1",
                else: .sessionMissing)

        case .reauthenticateSession(let session, let at):
            try await update(
                """
                UPDATE sessions SET authenticated_at = \(at.millisecondsSinceEpoch)
                WHERE id = \(session.rawValue) RETURNING 1
                """, else: .sessionMissing)

        case .endSession(let session, let account):
            try await update(
                "DELETE FROM sessions WHERE id = \(session.rawValue) AND account_id = \(account.rawValue) RETURNING 1",
                else: .sessionMissing)

        case .endSessions(let account, let except?):
            try await run("DELETE FROM sessions WHERE account_id = \(account.rawValue) AND id <> \(except.rawValue)")

        case .endSessions(let account, nil):
            try await run("DELETE FROM sessions WHERE account_id = \(account.rawValue)")

        case .insertRememberedDevice(let device):
            try await insert(
                """
                INSERT INTO remembered_devices (\(unescaped: PostgresColumns.device)) VALUES (
                    \(device.id.rawValue), \(device.tokenDigest.hex), \(device.account.rawValue), \(device.label),
                    \(device.createdAt.millisecondsSinceEpoch), \(device.lastUsedAt.millisecondsSinceEpoch),
                    \(device.expiresAt.millisecondsSinceEpoch))
                """)

        case .touchRememberedDevice(let device, let at):
            try await update(
                """
                UPDATE remembered_devices SET last_used_at = \(at.millisecondsSinceEpoch)
                WHERE id = \(device.rawValue) RETURNING 1
                """, else: .deviceMissing)

        case .deleteRememberedDevice(let device, let account):
            try await update(
                """
                DELETE FROM remembered_devices WHERE id = \(device.rawValue) AND account_id = \(account.rawValue)
                RETURNING 1
                """, else: .deviceMissing)

        case .recordNetwork(let account, let network, let at):
            try await insert(
                """
                INSERT INTO known_networks (\(unescaped: PostgresColumns.network)) VALUES (
                    \(account.rawValue), \(network.text), \(at.millisecondsSinceEpoch), \(at.millisecondsSinceEpoch))
                ON CONFLICT (account_id, network) DO UPDATE SET last_seen_at = excluded.last_seen_at
                """)

        case .insertAuthenticator(let authenticator):
            try await insert(
                """
                INSERT INTO authenticators (\(unescaped: PostgresColumns.authenticator)) VALUES (
                    \(authenticator.id.rawValue), \(authenticator.account.rawValue), \(authenticator.sealedSecret),
                    \(authenticator.label), \(authenticator.createdAt.millisecondsSinceEpoch))
                """)

        case .deleteAuthenticator(let authenticator, let account):
            try await update(
                """
                DELETE FROM authenticators WHERE id = \(authenticator.rawValue) AND account_id = \(account.rawValue)
                RETURNING 1
                """, else: .authenticatorMissing)

        case .replaceRecoveryCodes(let account, let digests, let at):
            try await update("SELECT 1 FROM accounts WHERE id = \(account.rawValue) FOR UPDATE", else: .accountMissing)
            try await run("DELETE FROM recovery_codes WHERE account_id = \(account.rawValue)")
            if !digests.isEmpty {
                try await run(
                    """
                    INSERT INTO recovery_codes (account_id, digest, created_at)
                    SELECT \(account.rawValue), digest, \(at.millisecondsSinceEpoch) FROM unnest(\(digests)::text[]) AS digest
                    ON CONFLICT DO NOTHING
                    """)
            }

        case .consumeRecoveryCode(let account, let digest):
            // Of two replicas redeeming one code, one deletes the row; the other's retry finds none.
            try await update(
                """
                DELETE FROM recovery_codes WHERE account_id = \(account.rawValue) AND digest = \(digest) RETURNING 1
                """, else: .recoveryCodeMissing)

        case .putIdentityProofing(let proofing):
            try await insert(
                """
                INSERT INTO identity_proofing (\(unescaped: PostgresColumns.proofing)) VALUES (
                    \(proofing.account.rawValue), \(proofing.method.rawValue), \(proofing.evidenceReference),
                    \(proofing.approvedBy), \(proofing.verifiedAt.millisecondsSinceEpoch), \(proofing.sealedFacts))
                ON CONFLICT (account_id) DO UPDATE SET method = excluded.method,
                    evidence_reference = excluded.evidence_reference, approved_by = excluded.approved_by,
                    verified_at = excluded.verified_at, sealed_facts = excluded.sealed_facts
                """)

        case .appendActivity(let entry):
            try await insert(
                """
                INSERT INTO activity (\(unescaped: PostgresColumns.activity)) VALUES (
                    \(entry.id.rawValue), \(entry.account.rawValue), \(entry.kind.rawValue),
                    \(entry.at.millisecondsSinceEpoch), \(entry.network?.text), \(entry.deviceLabel))
                """)

        case .enqueueMessage(let message):
            try await insert(
                """
                INSERT INTO outbox_messages (\(unescaped: PostgresColumns.message)) VALUES (
                    \(message.id.rawValue), \(message.account?.rawValue), \(message.channel.rawValue), \(message.body),
                    \(message.isSealed), \(message.carriesCode), \(message.status.rawValue),
                    \(message.createdAt.millisecondsSinceEpoch), \(message.notBefore.millisecondsSinceEpoch),
                    \(message.expiresAt?.millisecondsSinceEpoch), \(message.attempts), \(message.leaseOwner),
                    \(message.leaseExpiresAt?.millisecondsSinceEpoch), \(message.cancelKey), \(message.lastError),
                    \(message.sentAt?.millisecondsSinceEpoch))
                """)

        case .cancelMessages(let account, let cancelKey):
            try await run(
                """
                UPDATE outbox_messages SET status = 'cancelled'
                WHERE account_id = \(account.rawValue) AND cancel_key = \(cancelKey) AND status = 'pending'
                """)
        }
    }

    /// Runs a statement whose row count decides nothing.
    private func run(_ query: PostgresQuery) async throws {
        _ = try await PostgresExecutor.rows(query, on: connection, logger: logger)
    }

    /// Runs a conditional write (`… RETURNING 1`, or a `SELECT … FOR UPDATE`) that must touch exactly one row;
    /// none is the precondition `conflict` failing.
    private func update(_ query: PostgresQuery, else conflict: ChangeConflict) async throws {
        let rows = try await PostgresExecutor.rows(query, on: connection, logger: logger)
        guard rows.count == 1 else { throw SignInStoreError.conflict(index: index, reason: conflict) }
    }

    /// Runs a `SELECT 1 …` that must find nothing; a row found is the precondition `conflict` failing.
    private func absent(_ query: PostgresQuery, else conflict: ChangeConflict) async throws {
        guard try await PostgresExecutor.rows(query, on: connection, logger: logger).isEmpty else {
            throw SignInStoreError.conflict(index: index, reason: conflict)
        }
    }

    /// Runs an insert, turning a unique index's refusal into ``DeadboltSignIn/ChangeConflict/duplicate`` (or
    /// ``DeadboltSignIn/ChangeConflict/emailTaken``) and a missing account into
    /// ``DeadboltSignIn/ChangeConflict/accountMissing``.
    private func insert(_ query: PostgresQuery) async throws {
        do {
            try await run(query)
        } catch {
            switch PostgresFailure.databaseFailure(error) {
            case .constraintViolated("23505", "accounts_email_key"):
                throw SignInStoreError.conflict(index: index, reason: .emailTaken)
            case .constraintViolated("23505", _):
                throw SignInStoreError.conflict(index: index, reason: .duplicate)
            case .constraintViolated("23503", _):
                // Every foreign key of the schema names an account.
                throw SignInStoreError.conflict(index: index, reason: .accountMissing)
            default:
                throw error
            }
        }
    }
}
