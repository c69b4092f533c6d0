/// The schema, one versioned step at a time. A shipped step is never edited (the migrator checks a SHA-256 of each
/// step's statements): a change is a new step appended here.
///
/// Times are `bigint` milliseconds since the Unix epoch, exactly the ``DeadboltSignIn/Timestamp`` the flows pass
/// in from their injected clock (the store never reads the database's clock, so every replica and every test
/// agrees on "now"). Identifiers are the model's 32-hex-character strings, token digests 64 hex characters; enums
/// are their raw values. Rows that hang from an account reference it with `ON DELETE CASCADE`; outbox messages do
/// not (the "account deleted" notice outlives its account), and ``DeadboltSignIn/Change/deleteAccount(_:)``
/// deletes the account's pending messages itself.
enum PostgresMigrations {
    static let all: [PostgresMigration] = [accounts]

    static let accounts = PostgresMigration(
        version: 1,
        name: "accounts, credentials, steps, sessions, devices, networks, factors, proofing, activity, outbox",
        statements: [
            """
            CREATE TABLE accounts (
                id text COLLATE "C" PRIMARY KEY,
                email text NOT NULL,
                email_key text COLLATE "C" NOT NULL CONSTRAINT accounts_email_key UNIQUE,
                state text NOT NULL,
                password_hash text,
                pin_hash text,
                credential_version bigint NOT NULL,
                sealed_phone text,
                phone_last_four text,
                devices_revoked_at bigint,
                created_at bigint NOT NULL,
                credentials_changed_at bigint
            )
            """,
            """
            CREATE TABLE steps (
                digest text COLLATE "C" PRIMARY KEY,
                flow text NOT NULL,
                flow_kind text NOT NULL,
                step text NOT NULL,
                account_id text COLLATE "C" REFERENCES accounts (id) ON DELETE CASCADE,
                email_key text NOT NULL,
                previous text,
                browser text NOT NULL,
                address text,
                created_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                consumed_at bigint,
                payload text NOT NULL
            )
            """,
            "CREATE INDEX steps_account ON steps (account_id)",
            "CREATE INDEX steps_expires_at ON steps (expires_at)",
            """
            CREATE TABLE sessions (
                id text COLLATE "C" PRIMARY KEY,
                token_digest text NOT NULL CONSTRAINT sessions_token_digest UNIQUE,
                account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                access text NOT NULL,
                authenticated_at bigint NOT NULL,
                created_at bigint NOT NULL,
                last_seen_at bigint NOT NULL,
                expires_at bigint NOT NULL,
                device_label text NOT NULL,
                network text,
                device_id text
            )
            """,
            "CREATE INDEX sessions_account ON sessions (account_id, created_at DESC, id DESC)",
            """
            CREATE TABLE remembered_devices (
                id text COLLATE "C" PRIMARY KEY,
                token_digest text NOT NULL CONSTRAINT remembered_devices_token_digest UNIQUE,
                account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                label text NOT NULL,
                created_at bigint NOT NULL,
                last_used_at bigint NOT NULL,
                expires_at bigint NOT NULL
            )
            """,
            "CREATE INDEX remembered_devices_account ON remembered_devices (account_id, created_at DESC, id DESC)",
            """
            CREATE TABLE known_networks (
                account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                network text COLLATE "C" NOT NULL,
                first_seen_at bigint NOT NULL,
                last_seen_at bigint NOT NULL,
                PRIMARY KEY (account_id, network)
            )
            """,
            """
            CREATE TABLE authenticators (
                id text COLLATE "C" PRIMARY KEY,
                account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                sealed_secret text NOT NULL,
                label text NOT NULL,
                created_at bigint NOT NULL
            )
            """,
            "CREATE INDEX authenticators_account ON authenticators (account_id, created_at, id)",
            """
            CREATE TABLE recovery_codes (
                account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                digest text COLLATE "C" NOT NULL,
                created_at bigint NOT NULL,
                PRIMARY KEY (account_id, digest)
            )
            """,
            """
            CREATE TABLE identity_proofing (
                account_id text COLLATE "C" PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
                method text NOT NULL,
                evidence_reference text NOT NULL,
                approved_by text NOT NULL,
                verified_at bigint NOT NULL,
                sealed_facts text NOT NULL
            )
            """,
            """
            CREATE TABLE activity (
                id text COLLATE "C" PRIMARY KEY,
                account_id text COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                kind text NOT NULL,
                at bigint NOT NULL,
                network text,
                device_label text
            )
            """,
            "CREATE INDEX activity_account_newest ON activity (account_id, at DESC, id DESC)",
            "CREATE INDEX activity_at ON activity (at)",
            """
            CREATE TABLE outbox_messages (
                id text COLLATE "C" PRIMARY KEY,
                account_id text COLLATE "C",
                channel text NOT NULL,
                body text NOT NULL,
                is_sealed boolean NOT NULL,
                carries_code boolean NOT NULL,
                status text NOT NULL,
                created_at bigint NOT NULL,
                not_before bigint NOT NULL,
                expires_at bigint,
                attempts integer NOT NULL,
                lease_owner text,
                lease_expires_at bigint,
                cancel_key text,
                last_error text,
                sent_at bigint
            )
            """,
            // The workers' claim scans only pending messages, oldest due first.
            "CREATE INDEX outbox_messages_pending ON outbox_messages (not_before, id) WHERE status = 'pending'",
            "CREATE INDEX outbox_messages_account ON outbox_messages (account_id, cancel_key)",
            "CREATE INDEX outbox_messages_created_at ON outbox_messages (created_at) WHERE status <> 'pending'",
        ])
}
