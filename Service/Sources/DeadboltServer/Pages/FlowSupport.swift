import Deadbolt
import DeadboltSignIn
import Foundation
import HTTPTypes
import Hummingbird

extension ServerRuntime {
    /// Who is asking, for the sign-in system: the client's address (after trusted proxies), this browser, its
    /// remembered-device cookie, and a label the person will recognize ("Chrome on Linux").
    func clientContext(_ request: Request, _ context: ServerRequestContext, browserID: String, device: String?) throws
        -> ClientContext
    {
        let address = context.clientAddress.flatMap { try? NetworkAddress($0.description) }
        return try ClientContext(
            address: address, browserID: browserID, rememberedDevice: device.flatMap { DeviceToken(text: $0) },
            deviceLabel: DeviceLabel.from(userAgent: request.headers[.userAgent]))
    }

    /// The problem a sign-in error answers with (never a secret, never whether an account exists).
    static func problem(for error: SignInError) -> Problem {
        switch error {
        case .invalidEmail(let reason):
            Problem(.invalidField, "That email address cannot be used: \(reason).", field: "email")
        case .invalidInput(let field, let reason):
            Problem(.invalidField, "\(field.capitalized): \(reason).", field: field)
        case .stepInvalid, .stepAlreadyUsed:
            Problem(.stepExpired, "This step has expired or was already used. Please start again.")
        case .notSignedIn: Problem(.unauthenticated, "Please sign in.")
        case .accessDenied: Problem(.forbidden, "Verify your identity before you can do this.")
        case .reauthenticationRequired:
            Problem(
                .reauthenticationRequired,
                "For your security, confirm your password and PIN (POST /api/v1/account/reauthenticate, or the page /account/confirm) to make this change.")
        case .notFound: Problem(.notFound, "That was not found on your account.")
        case .concurrentChange: Problem(.conflict, "Your account changed while this was being saved. Please try again.")
        case .unavailable:
            Problem(
                .unavailable, "The service cannot reach its storage right now. Nothing was changed; try again shortly.",
                retryAfterSeconds: 5)
        case .overloaded:
            Problem(.overloaded, "The service is busy. Please try again in a moment.", retryAfterSeconds: 2)
        case .misconfigured: Problem(.internalError, "The service is not set up correctly.")
        }
    }

    /// Runs `body`, turning a sign-in error into its problem and the hashing pool's overload into 503.
    func mappingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SignInError {
            if error == .overloaded { metrics.signIn(.overloaded) }
            if error == .unavailable { metrics.signIn(.unavailable) }
            throw Self.problem(for: error)
        } catch HashingError.overloaded {
            metrics.signIn(.overloaded)
            throw Problem(.overloaded, "The service is busy. Please try again in a moment.", retryAfterSeconds: 2)
        }
    }

    /// The session's CSRF token: HMAC-SHA-256 of the session token under the cookie key, so it is per session,
    /// the same on every replica, and stored nowhere.
    func sessionCSRF(_ token: SessionToken) -> String {
        let tag =
            (try? HMAC.authenticationCode(
                for: Array("deadbolt-session-csrf:\(token.text)".utf8), using: keys.cookie, hash: .sha256)) ?? []
        return Hex.encode(tag)
    }

    func isValidSessionCSRF(_ candidate: String?, for token: SessionToken) -> Bool {
        guard let candidate, candidate.utf8.count == 64 else { return false }
        return ConstantTime.equals(Array(sessionCSRF(token).utf8), Array(candidate.utf8))
    }
}

/// When a lock ends, said the way a person reads it: "in 2 minutes (at 14:05 UTC)".
enum WaitText {
    static func phrase(_ duration: Duration, now: Date = Date()) -> String {
        let seconds = Problem.seconds(duration)
        let amount =
            seconds < 90
            ? "\(seconds) seconds"
            : seconds < 5400 ? "\((seconds + 59) / 60) minutes" : "\((seconds + 3599) / 3600) hours"
        let at = now.addingTimeInterval(TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.hour, .minute], from: at)
        let clock = String(format: "%02d:%02d UTC", parts.hour ?? 0, parts.minute ?? 0)
        return "in \(amount) (at \(clock))"
    }

    static func date(_ timestamp: Timestamp) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(timestamp.millisecondsSinceEpoch) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }
}

/// A short, recognisable device label from a `User-Agent` (browser and system only; never the full string, which
/// would make a fingerprint of the activity page).
enum DeviceLabel {
    static func from(userAgent: String?) -> String {
        guard let agent = userAgent?.prefix(512) else { return "Unknown device" }
        let browsers = [
            ("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"),
            ("python-requests", "Python"),
        ]
        let systems = [
            ("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"),
        ]
        let browser = browsers.first { agent.contains($0.0) }?.1 ?? "A browser"
        if let system = systems.first(where: { agent.contains($0.0) })?.1 { return "\(browser) on \(system)" }
        return browser
    }
}
