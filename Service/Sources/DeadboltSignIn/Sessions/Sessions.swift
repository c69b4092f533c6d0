import Deadbolt

/// Sessions and remembered devices: checking a session token on each request, signing out, listing and ending
/// sessions, forgetting devices.
public struct Sessions: Sendable {
    let context: FlowContext

    /// A session is touched (its last-seen time written) at most this often, so a busy page does not write on every
    /// request; the idle timeout is measured from the last write, so it errs by at most this much toward ending early.
    static let touchInterval = Duration.seconds(60)

    /// Checks a session token: the session exists, is within its absolute lifetime and its idle timeout, and its
    /// account exists. Records the use.
    /// - Throws: ``SignInError/notSignedIn`` for anything else (an idle or expired session is deleted),
    ///   ``SignInError/unavailable``.
    public func authenticate(_ token: SessionToken, client: ClientContext) async throws -> AuthenticatedSession {
        let digest = try context.secrets.tokens.digest(token)
        guard let record = try await context.storeCall({ try await context.store.session(tokenDigest: digest) }) else {
            throw SignInError.notSignedIn
        }
        let now = context.now
        guard now < record.expiresAt, now < record.lastSeenAt.adding(context.configuration.sessionIdleTimeout) else {
            try? await context.commit(ChangeSet([.endSession(record.id, account: record.account)]))
            throw SignInError.notSignedIn
        }
        guard let account = try await context.storeCall({ try await context.store.account(id: record.account) }) else {
            throw SignInError.notSignedIn
        }
        var current = record
        if record.lastSeenAt.duration(until: now) >= Self.touchInterval {
            do {
                try await context.commit(ChangeSet([.touchSession(record.id, at: now)]))
            } catch SignInError.concurrentChange {
                throw SignInError.notSignedIn
            }
            current.lastSeenAt = now
        }
        return AuthenticatedSession(summary: SessionSummary(current), email: account.email, accountState: account.state, tokenDigest: digest)
    }

    /// Signs out: ends this session on the server.
    /// - Throws: ``SignInError/unavailable``.
    public func signOut(_ session: AuthenticatedSession, client: ClientContext) async throws {
        do {
            try await context.commit(
                ChangeSet([
                    .endSession(session.summary.id, account: session.account),
                    try context.activity(.sessionEnded, account: session.account, client: client),
                ]))
        } catch SignInError.concurrentChange {
            // Already ended elsewhere: signed out all the same.
        }
    }

    /// Signs out everywhere: ends every session of the account, this one included.
    /// - Throws: ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func signOutEverywhere(_ session: AuthenticatedSession, client: ClientContext) async throws {
        let current = try await context.current(session)
        try await context.commit(
            ChangeSet([
                .endSessions(account: current.account, except: nil),
                try context.activity(.allSessionsEnded, account: current.account, client: client),
            ]))
    }

    /// The account's sessions, newest first (the current one among them).
    /// - Throws: ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func list(_ session: AuthenticatedSession) async throws -> [SessionSummary] {
        let current = try await context.current(session)
        let now = context.now
        return try await context.storeCall { try await context.store.sessions(account: current.account) }
            .filter { now < $0.expiresAt && now < $0.lastSeenAt.adding(context.configuration.sessionIdleTimeout) }
            .map(SessionSummary.init)
    }

    /// Ends one of the account's sessions.
    /// - Throws: ``SignInError/notFound`` when the account has no such session, ``SignInError/notSignedIn``,
    ///   ``SignInError/unavailable``.
    public func end(_ session: AuthenticatedSession, id: SessionID, client: ClientContext) async throws {
        let current = try await context.current(session)
        do {
            try await context.commit(
                ChangeSet([.endSession(id, account: current.account), try context.activity(.sessionEnded, account: current.account, client: client)]))
        } catch SignInError.concurrentChange {
            throw SignInError.notFound
        }
    }

    /// The account's remembered devices that still skip the second factor, newest first.
    /// - Throws: ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func devices(_ session: AuthenticatedSession) async throws -> [RememberedDeviceSummary] {
        let current = try await context.current(session)
        let now = context.now
        return try await context.storeCall { try await context.store.rememberedDevices(account: current.account) }
            .filter { now < $0.expiresAt }
            .map { RememberedDeviceSummary(id: $0.id, label: $0.label, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt, expiresAt: $0.expiresAt) }
    }

    /// Forgets one remembered device: its next sign-in asks for a second factor.
    /// - Throws: ``SignInError/notFound``, ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func forgetDevice(_ session: AuthenticatedSession, id: DeviceID, client: ClientContext) async throws {
        let current = try await context.current(session)
        do {
            try await context.commit(
                ChangeSet([
                    .deleteRememberedDevice(id, account: current.account),
                    try context.activity(.deviceForgotten, account: current.account, client: client),
                ]))
        } catch SignInError.concurrentChange {
            throw SignInError.notFound
        }
    }

    /// Forgets every remembered device ("forget all devices": one revocation time, as login.gov does).
    /// - Throws: ``SignInError/notSignedIn``, ``SignInError/unavailable``.
    public func forgetAllDevices(_ session: AuthenticatedSession, client: ClientContext) async throws {
        let current = try await context.current(session)
        try await context.commit(
            ChangeSet([
                .revokeDevices(account: current.account, at: context.now),
                try context.activity(.allDevicesForgotten, account: current.account, client: client),
            ]))
    }
}

extension FlowContext {
    /// Reads the session again (it may have ended since it was authenticated).
    /// - Throws: ``SignInError/notSignedIn``.
    func current(_ session: AuthenticatedSession) async throws -> SessionRecord {
        guard let record = try await storeCall({ try await store.session(tokenDigest: session.tokenDigest) }),
            now < record.expiresAt, now < record.lastSeenAt.adding(configuration.sessionIdleTimeout)
        else { throw SignInError.notSignedIn }
        return record
    }

    /// The session and its account, for a change only a fully signed-in person may make; with `sensitive`, also
    /// a sign-in within the re-authentication window.
    /// - Throws: ``SignInError/notSignedIn``, ``SignInError/accessDenied``, ``SignInError/reauthenticationRequired``.
    func signedIn(_ session: AuthenticatedSession, sensitive: Bool) async throws -> (SessionRecord, AccountRecord) {
        let record = try await current(session)
        guard record.access == .full else { throw SignInError.accessDenied }
        if sensitive, record.authenticatedAt.adding(configuration.reauthenticationWindow) <= now {
            throw SignInError.reauthenticationRequired
        }
        guard let account = try await storeCall({ try await store.account(id: record.account) }) else { throw SignInError.notSignedIn }
        return (record, account)
    }
}
