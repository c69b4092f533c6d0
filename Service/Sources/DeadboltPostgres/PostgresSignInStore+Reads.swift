import DeadboltSignIn
import PostgresNIO

/// The reads: one statement each, outside any transaction, every value a bind parameter.
extension PostgresSignInStore {
    /// Runs `query` on a pooled connection and reads every row with `read`.
    func select<Record: Sendable>(
        _ query: PostgresQuery, _ read: @escaping @Sendable (inout PostgresRecordReader) throws -> Record
    ) async throws -> [Record] {
        let logger = executor.logger
        return try await storeErrors {
            try await executor.withConnection { connection in
                try await PostgresExecutor.rows(query, on: connection, logger: logger).records(read)
            }
        }
    }

    public func account(id: AccountID) async throws -> AccountRecord? {
        try await select("SELECT \(unescaped: PostgresColumns.account) FROM accounts WHERE id = \(id.rawValue)") {
            try $0.account()
        }.first
    }

    public func account(emailKey: String) async throws -> AccountRecord? {
        // No account has a longer key, or one with NUL (which PostgreSQL's text refuses as an error).
        guard emailKey.utf8.count <= EmailAddress.maximumLength, !emailKey.utf8.contains(0) else { return nil }
        return try await select(
            "SELECT \(unescaped: PostgresColumns.account) FROM accounts WHERE email_key = \(emailKey)"
        ) { try $0.account() }.first
    }

    public func step(digest: TokenDigest) async throws -> StepRecord? {
        try await select("SELECT \(unescaped: PostgresColumns.step) FROM steps WHERE digest = \(digest.hex)") {
            try $0.step()
        }.first
    }

    public func session(tokenDigest: TokenDigest) async throws -> SessionRecord? {
        try await select(
            "SELECT \(unescaped: PostgresColumns.session) FROM sessions WHERE token_digest = \(tokenDigest.hex)"
        ) { try $0.session() }.first
    }

    public func sessions(account: AccountID) async throws -> [SessionRecord] {
        try await select(
            """
            SELECT \(unescaped: PostgresColumns.session) FROM sessions WHERE account_id = \(account.rawValue)
            ORDER BY created_at DESC, id DESC
            """
        ) { try $0.session() }
    }

    public func rememberedDevice(tokenDigest: TokenDigest) async throws -> RememberedDeviceRecord? {
        try await select(
            """
            SELECT \(unescaped: PostgresColumns.device) FROM remembered_devices
            WHERE token_digest = \(tokenDigest.hex)
            """
        ) { try $0.device() }.first
    }

    public func rememberedDevices(account: AccountID) async throws -> [RememberedDeviceRecord] {
        try await select(
            """
            SELECT \(unescaped: PostgresColumns.device) FROM remembered_devices WHERE account_id = \(account.rawValue)
            ORDER BY created_at DESC, id DESC
            """
        ) { try $0.device() }
    }

    public func knownNetwork(account: AccountID, network: NetworkPrefix) async throws -> KnownNetworkRecord? {
        try await select(
            """
            SELECT \(unescaped: PostgresColumns.network) FROM known_networks
            WHERE account_id = \(account.rawValue) AND network = \(network.text)
            """
        ) { try $0.network() }.first
    }

    public func authenticators(account: AccountID) async throws -> [AuthenticatorRecord] {
        try await select(
            """
            SELECT \(unescaped: PostgresColumns.authenticator) FROM authenticators
            WHERE account_id = \(account.rawValue) ORDER BY created_at, id
            """
        ) { try $0.authenticator() }
    }

    public func recoveryCodeDigests(account: AccountID) async throws -> [String] {
        try await select(
            "SELECT digest FROM recovery_codes WHERE account_id = \(account.rawValue) ORDER BY digest"
        ) { try $0.text() }
    }

    public func identityProofing(account: AccountID) async throws -> IdentityProofingRecord? {
        try await select(
            """
            SELECT \(unescaped: PostgresColumns.proofing) FROM identity_proofing
            WHERE account_id = \(account.rawValue)
            """
        ) { try $0.proofing() }.first
    }

    public func activity(account: AccountID, after cursor: ActivityCursor?, limit: Int) async throws -> ActivityPage {
        guard (1...SignInStoreBounds.maximumActivityPage).contains(limit) else {
            throw SignInStoreError.invalid("an activity page holds 1 to \(SignInStoreBounds.maximumActivityPage) entries")
        }
        // One more than asked: whether an older page exists.
        let query: PostgresQuery
        if let cursor {
            query = """
                SELECT \(unescaped: PostgresColumns.activity) FROM activity
                WHERE account_id = \(account.rawValue)
                  AND (at, id) < (\(cursor.at.millisecondsSinceEpoch), \(cursor.id.rawValue))
                ORDER BY at DESC, id DESC LIMIT \(limit + 1)
                """
        } else {
            query = """
                SELECT \(unescaped: PostgresColumns.activity) FROM activity WHERE account_id = \(account.rawValue)
                ORDER BY at DESC, id DESC LIMIT \(limit + 1)
                """
        }
        let entries = try await select(query) { try $0.activity() }
        guard entries.count > limit else { return ActivityPage(entries: entries, next: nil) }
        let page = Array(entries.prefix(limit))
        let last = page[page.count - 1]
        return ActivityPage(entries: page, next: ActivityCursor(at: last.at, id: last.id))
    }

    public func message(id: MessageID) async throws -> OutboxMessage? {
        try await select("SELECT \(unescaped: PostgresColumns.message) FROM outbox_messages WHERE id = \(id.rawValue)") {
            try $0.message()
        }.first
    }
}
