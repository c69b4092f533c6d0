extension LockoutSchedule {
    /// The default schedule for one account (and for one account from one address):
    ///
    /// - 5 failures free, then a 1-minute wait: OWASP's Authentication Cheat Sheet ("Account Lockout") sets a
    ///   failure threshold and a lockout duration; 5 is the figure and a common one, high enough that
    ///   the owner's typos rarely trip it.
    /// - Each further failure doubles the wait, capped at 1 hour: NIST SP 800-63B §5.2.2 suggests waits that grow
    ///   with consecutive failures; the cap keeps an attacker from locking the owner out for days with a handful
    ///   of guesses. Once the cap is reached, about 24 guesses a day get through.
    /// - Hard lock after 100 consecutive failures: the most NIST SP 800-63B §5.2.2 allows. With the waits above,
    ///   an attacker needs about four days of steady guessing to get there.
    /// - Failures remembered for 24 hours after the last one (or until a lock ends, if later): long enough that
    ///   an attacker pausing between guesses keeps the escalated wait; short enough that a day-old typo is
    ///   forgotten.
    public static let accountDefault = LockoutSchedule(
        threshold: 5,
        initialWait: .seconds(60),
        maximumWait: .seconds(3600),
        hardLockAfter: 100,
        failureMemory: .seconds(24 * 3600)
    )
}

extension RateLimit {
    /// The default per-source-address attempt rate: 100 at once, refilled at 100 an hour (one per 36 seconds),
    /// the figure. Looser than the per-account schedule because many honest users can share one address
    /// (a campus NAT, a carrier-grade NAT); successes are refunded, so it effectively counts failures.
    public static let sourceAttemptsDefault = RateLimit(burst: 100, interval: .seconds(36))
}
