import Deadbolt

/// Every number and name the sign-in system uses. Each default is named after its source; docs/sign-in.md lists
/// them in one table.
public struct SignInConfiguration: Sendable {
    /// The service's name, in messages and in the otpauth URI's issuer; a password built from it is refused.
    /// Default `Deadbolt`.
    public var serviceName: String
    /// The page every security notice links to for "this wasn't me": a fixed URL with nothing secret in it (no token,
    /// no code, no session id). Default `http://127.0.0.1:8080/not-me`, the reference server's embedded default.
    public var notMeURL: String

    /// A session ends after this long unused. Default 30 minutes: NIST SP 800-63B rev. 3 §4.2.3 (AAL2: "30 minutes
    /// or less" of inactivity).
    public var sessionIdleTimeout: Duration
    /// A session ends this long after sign-in, used or not. Default 12 hours: NIST SP 800-63B rev. 3 §4.2.3 (AAL2).
    public var sessionAbsoluteLifetime: Duration
    /// A sensitive change (PIN, password, phone, authenticator, recovery codes, deleting the account) needs a
    /// sign-in this recent. Default 15 minutes (the issue; login.gov likewise asks for a fresh sign-in past its
    /// configured `reauthn_window`).
    public var reauthenticationWindow: Duration
    /// A step token is accepted this long after it was issued. Default 10 minutes: NIST SP 800-63B §5.1.3's
    /// ceiling for an out-of-band code, which several steps carry.
    public var stepLifetime: Duration
    /// A remembered device skips the second factor this long. Default 30 days (the issue; login.gov remembers a
    /// browser for a configured period and revokes them all with one timestamp).
    public var rememberedDeviceLifetime: Duration
    /// Account activity is kept this long. Default 90 days (the issue; login.gov shows a comparable history).
    public var activityRetention: Duration
    /// Delivered and cancelled outbox rows are kept this long, for operators. Default 7 days (our choice: long
    /// enough to trace a complaint).
    public var deliveredMessageRetention: Duration
    /// When a sign-in got past the password but not to a session in this long, "someone knows your password" goes
    /// out. Default 5 minutes (the issue).
    public var passwordKnownNoticeDelay: Duration

    /// The password rules. Default ``PasswordPolicy/nist``.
    public var passwordPolicy: PasswordPolicy
    /// The PIN rules. Default ``Deadbolt/PINPolicy/standard`` (4 to 6 digits).
    public var pinPolicy: PINPolicy
    /// Wrong passwords: per account+address, per account, per address (``Deadbolt/LockoutPolicy``), purpose
    /// `password`. Defaults from ``Deadbolt/LockoutSchedule/accountDefault`` (NIST SP 800-63B §5.2.2, OWASP
    /// Authentication Cheat Sheet).
    public var passwordLockout: LockoutPolicy.Configuration
    /// Wrong PINs, purpose `pin`, same defaults: 5 free, a minute doubling to an hour, hard lock at 100 (§5.2.2's
    /// most).
    public var pinLockout: LockoutPolicy.Configuration
    /// Wrong second-factor and recovery codes, per account. Default ``Deadbolt/OneTimeCodeVerifier/defaultLockout``.
    public var secondFactorLockout: LockoutSchedule
    /// Emailed and texted codes: 6 digits, 10 minutes (NIST SP 800-63B §5.1.3), 3 tries, 60 s resend cooldown.
    public var issuedCodes: IssuedCodePolicy
    /// Codes sent to one email or phone (any purpose): 5 at once, then one a minute. login.gov blocks OTP delivery
    /// after 5 sends in 5 minutes (`otp_delivery_blocklist_maxretry`).
    public var codeSendLimit: RateLimit
    /// Flows started from one address (sign-up, sign-in, Forgot PIN/password): 20 at once, then one every 6 s.
    /// OWASP Authentication Cheat Sheet: limit by address as well as by account.
    public var flowStartsPerAddress: RateLimit
    /// The TOTP window: one step each way (RFC 6238 §5.2).
    public var totpWindow: OTPWindow
    /// Recovery codes per set. Default ``Deadbolt/RecoveryCodes/defaultCount`` (10).
    public var recoveryCodeCount: Int
    /// How long the one-time re-enrollment code of an identity re-verification (``ReenrollmentCode``) works. Default
    /// 24 hours (our choice: the person leaves the verification with it and uses it the same day; a longer life only
    /// lengthens the time a stolen note of it is worth something). At most 7 days.
    public var reenrollmentCodeLifetime: Duration
    /// Wrong re-enrollment codes, purpose `reenrollment`, keyed by the account at its credential version (so a new
    /// re-verification starts afresh): 3 free, then a minute doubling to an hour, and after 10 consecutive wrong
    /// codes the code is dead (hard lock) until an operator verifies the person again. A 64-bit code needs no more
    /// tries than a person's typos (our choice, tighter than the PIN's §5.2.2 ceiling because nothing but another
    /// visit to the operator is lost).
    public var reenrollmentCodeLockout: LockoutPolicy.Configuration

    /// Delivery attempts before a message is given up. Default 8.
    public var deliveryAttempts: Int
    /// The first retry's wait, doubling per attempt. Default 30 seconds.
    public var deliveryBackoff: Duration
    /// The longest wait between retries. Default 1 hour.
    public var deliveryMaximumBackoff: Duration

    /// Every default, as documented on each property.
    public init(
        serviceName: String = "Deadbolt",
        notMeURL: String = "http://127.0.0.1:8080/not-me",
        sessionIdleTimeout: Duration = .seconds(30 * 60),
        sessionAbsoluteLifetime: Duration = .seconds(12 * 3600),
        reauthenticationWindow: Duration = .seconds(15 * 60),
        stepLifetime: Duration = .seconds(10 * 60),
        rememberedDeviceLifetime: Duration = .seconds(30 * 86_400),
        activityRetention: Duration = .seconds(90 * 86_400),
        deliveredMessageRetention: Duration = .seconds(7 * 86_400),
        passwordKnownNoticeDelay: Duration = .seconds(5 * 60),
        passwordPolicy: PasswordPolicy = .nist,
        pinPolicy: PINPolicy = .standard,
        passwordLockout: LockoutPolicy.Configuration = .init(purpose: "password"),
        pinLockout: LockoutPolicy.Configuration = .init(purpose: "pin"),
        secondFactorLockout: LockoutSchedule = OneTimeCodeVerifier.defaultLockout,
        issuedCodes: IssuedCodePolicy = .init(),
        codeSendLimit: RateLimit = RateLimit(burst: 5, interval: .seconds(60)),
        flowStartsPerAddress: RateLimit = RateLimit(burst: 20, interval: .seconds(6)),
        totpWindow: OTPWindow = .default,
        recoveryCodeCount: Int = RecoveryCodes.defaultCount,
        reenrollmentCodeLifetime: Duration = .seconds(24 * 3600),
        reenrollmentCodeLockout: LockoutPolicy.Configuration = SignInConfiguration.reenrollmentCodeLockoutDefault,
        deliveryAttempts: Int = 8,
        deliveryBackoff: Duration = .seconds(30),
        deliveryMaximumBackoff: Duration = .seconds(3600)
    ) {
        self.serviceName = serviceName
        self.notMeURL = notMeURL
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionAbsoluteLifetime = sessionAbsoluteLifetime
        self.reauthenticationWindow = reauthenticationWindow
        self.stepLifetime = stepLifetime
        self.rememberedDeviceLifetime = rememberedDeviceLifetime
        self.activityRetention = activityRetention
        self.deliveredMessageRetention = deliveredMessageRetention
        self.passwordKnownNoticeDelay = passwordKnownNoticeDelay
        self.passwordPolicy = passwordPolicy
        self.pinPolicy = pinPolicy
        self.passwordLockout = passwordLockout
        self.pinLockout = pinLockout
        self.secondFactorLockout = secondFactorLockout
        self.issuedCodes = issuedCodes
        self.codeSendLimit = codeSendLimit
        self.flowStartsPerAddress = flowStartsPerAddress
        self.totpWindow = totpWindow
        self.recoveryCodeCount = recoveryCodeCount
        self.reenrollmentCodeLifetime = reenrollmentCodeLifetime
        self.reenrollmentCodeLockout = reenrollmentCodeLockout
        self.deliveryAttempts = deliveryAttempts
        self.deliveryBackoff = deliveryBackoff
        self.deliveryMaximumBackoff = deliveryMaximumBackoff
    }

    /// The default of ``reenrollmentCodeLockout``.
    public static let reenrollmentCodeLockoutDefault: LockoutPolicy.Configuration = {
        let schedule = LockoutSchedule(
            threshold: 3, initialWait: .seconds(60), maximumWait: .seconds(3600), hardLockAfter: 10, failureMemory: .seconds(86_400))
        return LockoutPolicy.Configuration(purpose: "reenrollment", account: schedule, accountSource: schedule)
    }()

    /// Checks every value.
    /// - Throws: ``SignInError/misconfigured(_:)`` naming the first out of range.
    public func validate() throws {
        func require(_ condition: Bool, _ reason: String) throws {
            guard condition else { throw SignInError.misconfigured(reason) }
        }
        try require(!serviceName.isEmpty && serviceName.utf8.count <= 64, "serviceName must be 1 to 64 bytes")
        try require(
            (notMeURL.hasPrefix("https://") || notMeURL.hasPrefix("http://")) && notMeURL.utf8.count <= 512
                && !notMeURL.contains("?") && !notMeURL.contains("#"),
            "notMeURL must be an http(s) URL of at most 512 bytes without a query or fragment")
        for (name, value) in [
            ("sessionIdleTimeout", sessionIdleTimeout), ("sessionAbsoluteLifetime", sessionAbsoluteLifetime),
            ("reauthenticationWindow", reauthenticationWindow), ("stepLifetime", stepLifetime),
            ("rememberedDeviceLifetime", rememberedDeviceLifetime), ("activityRetention", activityRetention),
            ("deliveredMessageRetention", deliveredMessageRetention), ("passwordKnownNoticeDelay", passwordKnownNoticeDelay),
            ("deliveryBackoff", deliveryBackoff), ("deliveryMaximumBackoff", deliveryMaximumBackoff),
        ] {
            try require(value > .zero && value <= StateStoreBounds.maximumDuration, "\(name) must be positive and at most 3660 days")
        }
        try require(sessionIdleTimeout <= sessionAbsoluteLifetime, "sessionIdleTimeout must not exceed sessionAbsoluteLifetime")
        try require(stepLifetime <= .seconds(3600), "stepLifetime must be at most an hour")
        try require(issuedCodes.lifetime <= .seconds(600), "issued codes must live at most 10 minutes (NIST SP 800-63B §5.1.3)")
        try require(passwordPolicy.blocklist.count > 0, "the password blocklist is empty (its resource is missing from the build)")
        try require(passwordPolicy.minimumLength >= 8 && passwordPolicy.minimumLength <= passwordPolicy.maximumLength
            && passwordPolicy.maximumLength >= 64 && passwordPolicy.maximumLength <= 256,
            "passwords need a minimum of at least 8 (NIST SP 800-63B §5.1.1.2) and a maximum of 64 to 256 characters")
        try require((1...RecoveryCodes.maximumCount).contains(recoveryCodeCount), "recoveryCodeCount must be 1 to 100")
        try require((1...100).contains(deliveryAttempts), "deliveryAttempts must be 1 to 100")
        try require(
            reenrollmentCodeLifetime > .zero && reenrollmentCodeLifetime <= .seconds(7 * 86_400),
            "reenrollmentCodeLifetime must be positive and at most 7 days")
        do {
            try passwordLockout.validate()
            try pinLockout.validate()
            try reenrollmentCodeLockout.validate()
            try codeSendLimit.validate()
            try flowStartsPerAddress.validate()
        } catch {
            throw SignInError.misconfigured("\(error)")
        }
        try require(
            Set([passwordLockout.purpose, pinLockout.purpose, reenrollmentCodeLockout.purpose]).count == 3,
            "the password, PIN and re-enrollment-code lockouts need different purposes")
    }
}
