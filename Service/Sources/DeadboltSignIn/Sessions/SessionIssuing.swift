import Deadbolt

extension FlowContext {
    /// The changes and the grant that end a sign-in with a session: the step consumed, the session, the network
    /// recorded, the "someone knows your password" notice cancelled, activity, and the device remembered or
    /// touched. The caller adds its own changes (a recovery code consumed, notices) and commits.
    func sessionChanges(
        for account: AccountRecord, step: OpenStep, access: SessionAccess, client: ClientContext, secondFactorUsed: Bool,
        rememberDevice: Bool, rememberedDevice: RememberedDeviceRecord?
    ) throws -> (ChangeSet, SessionGrant) {
        let now = self.now
        let token = try SessionToken.random()
        let record = SessionRecord(
            id: try SessionID.random(), tokenDigest: try secrets.tokens.digest(token), account: account.id, access: access,
            authenticatedAt: now, createdAt: now, lastSeenAt: now, expiresAt: now.adding(configuration.sessionAbsoluteLifetime),
            deviceLabel: client.deviceLabel, network: client.address?.network, device: rememberedDevice?.id)
        var changes = ChangeSet([.consumeStep(step.digest, now: now), .insertSession(record)])
        if let network = client.address?.network, access == .full {
            changes.append(.recordNetwork(account: account.id, network: network, at: now))
        }
        changes.append(.cancelMessages(account: account.id, cancelKey: step.flow.rawValue))
        changes.append(try activity(secondFactorUsed ? .signedInNewDevice : .signedIn, account: account.id, client: client))
        var deviceGrant: RememberedDeviceGrant?
        if let rememberedDevice {
            changes.append(.touchRememberedDevice(rememberedDevice.id, at: now))
        } else if rememberDevice && secondFactorUsed {
            let deviceToken = try DeviceToken.random()
            let device = RememberedDeviceRecord(
                id: try DeviceID.random(), tokenDigest: try secrets.tokens.digest(deviceToken), account: account.id,
                label: client.deviceLabel, createdAt: now, lastUsedAt: now, expiresAt: now.adding(configuration.rememberedDeviceLifetime))
            changes.append(.insertRememberedDevice(device))
            deviceGrant = RememberedDeviceGrant(token: deviceToken, id: device.id, expiresAt: device.expiresAt)
        }
        if secondFactorUsed {
            changes.append(
                .enqueueMessage(
                    try message(
                        .newDeviceSignIn(deviceLabel: client.deviceLabel, network: client.address?.network.text, at: now),
                        to: account.email.address, channel: .email, account: account.id)))
        }
        return (changes, SessionGrant(token: token, session: SessionSummary(record), rememberedDevice: deviceGrant))
    }

    /// The client's remembered device for `account`, if its token is valid: the account's, unexpired, and made
    /// after the account's last "forget all devices".
    func rememberedDevice(of client: ClientContext, account: AccountRecord) async throws -> RememberedDeviceRecord? {
        guard let token = client.rememberedDevice else { return nil }
        let digest = try secrets.tokens.digest(token)
        guard let device = try await storeCall({ try await store.rememberedDevice(tokenDigest: digest) }),
            device.account == account.id, now < device.expiresAt,
            account.devicesRevokedAt.map({ device.createdAt > $0 }) ?? true
        else { return nil }
        return device
    }

    /// Whether the sign-in needs a second factor: a device not remembered, or a network (or no known address) never
    /// seen with a successful sign-in on the account.
    func secondFactorDue(for account: AccountRecord, client: ClientContext) async throws -> (Bool, RememberedDeviceRecord?) {
        let device = try await rememberedDevice(of: client, account: account)
        guard let network = client.address?.network else { return (true, device) }
        let known = try await storeCall { try await store.knownNetwork(account: account.id, network: network) }
        return (device == nil || known == nil, device)
    }
}
