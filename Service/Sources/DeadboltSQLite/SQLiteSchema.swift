import GRDB

/// The database schema, as GRDB migrations: one versioned step each, never edited once shipped (a change is a new
/// step). Times are integer milliseconds since the Unix epoch; token digests are 32-byte blobs.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, steps, sessions, devices, networks, factors, proofing, activity, outbox") { db in
            try db.execute(sql: """
                CREATE TABLE account (
                    id TEXT PRIMARY KEY NOT NULL,
                    email TEXT NOT NULL,
                    email_key TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL,
                    password_hash TEXT,
                    pin_hash TEXT,
                    credential_version INTEGER NOT NULL,
                    sealed_phone TEXT,
                    phone_last_four TEXT,
                    devices_revoked_at INTEGER,
                    created_at INTEGER NOT NULL,
                    credentials_changed_at INTEGER
                );
                CREATE TABLE step (
                    digest BLOB PRIMARY KEY NOT NULL,
                    flow TEXT NOT NULL,
                    flow_kind TEXT NOT NULL,
                    step TEXT NOT NULL,
                    account_id TEXT REFERENCES account(id) ON DELETE CASCADE,
                    email_key TEXT NOT NULL,
                    previous BLOB,
                    browser BLOB NOT NULL,
                    address TEXT,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    consumed_at INTEGER,
                    payload TEXT NOT NULL
                );
                CREATE INDEX step_account ON step(account_id);
                CREATE INDEX step_expiry ON step(expires_at);
                CREATE TABLE session (
                    id TEXT PRIMARY KEY NOT NULL,
                    token_digest BLOB NOT NULL UNIQUE,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    access TEXT NOT NULL,
                    authenticated_at INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    device_label TEXT NOT NULL,
                    network TEXT,
                    device_id TEXT
                );
                CREATE INDEX session_account ON session(account_id, created_at);
                CREATE TABLE remembered_device (
                    id TEXT PRIMARY KEY NOT NULL,
                    token_digest BLOB NOT NULL UNIQUE,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    label TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    last_used_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                CREATE INDEX remembered_device_account ON remembered_device(account_id, created_at);
                CREATE TABLE known_network (
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    network TEXT NOT NULL,
                    first_seen_at INTEGER NOT NULL,
                    last_seen_at INTEGER NOT NULL,
                    PRIMARY KEY (account_id, network)
                );
                CREATE TABLE authenticator (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    sealed_secret TEXT NOT NULL,
                    label TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX authenticator_account ON authenticator(account_id, created_at);
                CREATE TABLE recovery_code (
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    digest TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (account_id, digest)
                );
                CREATE TABLE identity_proofing (
                    account_id TEXT PRIMARY KEY NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    method TEXT NOT NULL,
                    evidence_reference TEXT NOT NULL,
                    approved_by TEXT NOT NULL,
                    verified_at INTEGER NOT NULL,
                    sealed_facts TEXT NOT NULL
                );
                CREATE TABLE activity (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    network TEXT,
                    device_label TEXT
                );
                CREATE INDEX activity_account_time ON activity(account_id, at DESC, id DESC);
                CREATE INDEX activity_time ON activity(at);
                CREATE TABLE outbox (
                    id TEXT PRIMARY KEY NOT NULL,
                    account_id TEXT,
                    channel TEXT NOT NULL,
                    body TEXT NOT NULL,
                    is_sealed INTEGER NOT NULL,
                    carries_code INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    not_before INTEGER NOT NULL,
                    expires_at INTEGER,
                    attempts INTEGER NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at INTEGER,
                    cancel_key TEXT,
                    last_error TEXT,
                    sent_at INTEGER
                );
                CREATE INDEX outbox_due ON outbox(status, not_before);
                CREATE INDEX outbox_account ON outbox(account_id, status);
                """)
        }
        return migrator
    }
}
