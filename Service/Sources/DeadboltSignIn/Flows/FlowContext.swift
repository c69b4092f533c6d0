import Deadbolt
import Foundation
import Logging

/// What every flow shares: the stores, the policies, the secrets, the clock. One per ``SignInSystem``.
struct FlowContext: Sendable {
    let store: any SignInStore
    let stateStore: any StateStore
    let configuration: SignInConfiguration
    let secrets: SignInSecrets
    let passwords: any CredentialHashing
    let pins: any CredentialHashing
    /// A hash of a random password under the current parameters, made at start-up: verified against when the
    /// account or its password does not exist, so that costs the same as a real check (no enumeration by timing).
    let dummyPasswordHash: String
    /// The same for PINs.
    let dummyPINHash: String
    let events: any SecurityEventSink
    let clock: any WallClock
    let passwordLockout: LockoutPolicy
    let pinLockout: LockoutPolicy
    let reenrollmentLockout: LockoutPolicy
    let verifier: OneTimeCodeVerifier
    let codeSends: RateLimiter
    let flowStarts: RateLimiter
    let renderer: NoticeRenderer
    let passwordPolicy: PasswordPolicy
    let logger: Logger

    var now: Timestamp { Timestamp(clock) }
}
