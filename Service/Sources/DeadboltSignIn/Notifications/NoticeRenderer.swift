/// Renders a ``Notice`` as plain text: an email subject and body, and a short text message. Every security notice
/// ends with the "this wasn't me" link, a fixed page with nothing secret in it (no token, code or session id: a
/// capability in a mailed link would let whoever holds the mail act on the account, and URLs leak into browser
/// history, proxies and logs).
public struct NoticeRenderer: Sendable {
    /// The service's name, in subjects and texts.
    public let serviceName: String
    /// The "this wasn't me" page.
    public let notMeURL: String

    /// A renderer.
    public init(serviceName: String, notMeURL: String) {
        self.serviceName = serviceName
        self.notMeURL = notMeURL
    }

    /// The text of `notice`.
    public func render(_ notice: Notice) -> RenderedMessage {
        let (subject, lines, short) = parts(notice)
        var body = lines.joined(separator: "\n\n")
        var shortText = "\(serviceName): \(short)"
        if notice.isSecurityNotice {
            body += "\n\nIf this wasn't you, go to \(notMeURL) to end every session and choose a new PIN."
            shortText += " Not you? \(notMeURL)"
        } else {
            body += "\n\nWe will never ask for your PIN by phone or email. If you did not ask for this code, you can ignore this message."
        }
        return RenderedMessage(subject: "\(serviceName): \(subject)", body: body, shortText: shortText)
    }

    private func parts(_ notice: Notice) -> (String, [String], String) {
        switch notice {
        case .confirmEmailCode(let code):
            return ("confirm your email", ["Your code to confirm this email address is \(code).", "It expires in 10 minutes."],
                "\(code) is your code to confirm your email. It expires in 10 minutes.")
        case .alreadyRegistered:
            return ("you already have an account",
                ["Someone tried to create an account with this email address, but you already have one.",
                 "To get into your account, sign in. If you forgot your PIN or password, use Forgot PIN or Forgot password."],
                "Someone tried to create an account with your email. You already have one.")
        case .signInCode(let code):
            return ("your sign-in code", ["Your sign-in code is \(code).", "It expires in 10 minutes."],
                "\(code) is your sign-in code. It expires in 10 minutes.")
        case .recoveryCode(let code, let resetting):
            let what = resetting == .pin ? "PIN" : "password"
            return ("reset your \(what)", ["Your code to reset your \(what) is \(code).", "It expires in 10 minutes."],
                "\(code) is your code to reset your \(what). It expires in 10 minutes.")
        case .phoneConfirmationCode(let code):
            return ("confirm your phone", ["Your code to confirm this phone number is \(code)."],
                "\(code) is your code to confirm this phone number. It expires in 10 minutes.")
        case .newDeviceSignIn(let device, let network, let at):
            let from = [device.isEmpty ? nil : device, network.map { "network \($0)" }].compactMap { $0 }.joined(separator: ", ")
            return ("new sign-in to your account",
                ["Your account was signed in to from a new device or network\(from.isEmpty ? "" : " (\(from))") at \(Self.time(at))."],
                "New sign-in to your account at \(Self.time(at)).")
        case .passwordMayBeKnown(let at):
            return ("someone may know your password",
                ["At \(Self.time(at)) someone entered your correct password but did not finish signing in.",
                 "If this was not you, change your password now: someone may know it."],
                "Someone entered your password at \(Self.time(at)) but did not finish signing in.")
        case .accountLocked(let until):
            let line = until.map { "You can try again after \(Self.time($0))." }
                ?? "It stays locked until you reset your PIN with Forgot PIN or an operator unlocks it."
            return ("your account is locked", ["Too many wrong attempts locked your account.", line],
                "Too many wrong attempts locked your account.")
        case .pinChanged(let at):
            return ("your PIN was changed", ["Your PIN was changed at \(Self.time(at))."], "Your PIN was changed.")
        case .passwordChanged(let at):
            return ("your password was changed", ["Your password was changed at \(Self.time(at))."], "Your password was changed.")
        case .phoneChanged(let masked, let at):
            let line = masked.map { "The phone number on your account was changed to \($0) at \(Self.time(at))." }
                ?? "The phone number was removed from your account at \(Self.time(at))."
            return ("your phone number was changed", [line], "The phone number on your account was changed.")
        case .authenticatorAdded(let at):
            return ("authenticator app added", ["An authenticator app was added to your account at \(Self.time(at))."],
                "An authenticator app was added to your account.")
        case .authenticatorRemoved(let at):
            return ("authenticator app removed", ["An authenticator app was removed from your account at \(Self.time(at))."],
                "An authenticator app was removed from your account.")
        case .recoveryCodesGenerated(let at):
            return ("new recovery codes", ["New recovery codes were made for your account at \(Self.time(at)). The old ones no longer work."],
                "New recovery codes were made for your account.")
        case .recoveryCodeUsed(let remaining, let at):
            return ("a recovery code was used",
                ["A recovery code was used to sign in at \(Self.time(at)). You have \(remaining) left."],
                "A recovery code was used to sign in. \(remaining) left.")
        case .signedOutEverywhere(let at):
            return ("you were signed out everywhere",
                ["Every session of your account was ended and every remembered device forgotten at \(Self.time(at))."],
                "Every session of your account was ended.")
        case .identityVerified(let voided, let at):
            var lines = ["Your identity was verified at \(Self.time(at))."]
            if voided {
                lines.append(
                    "Your old PIN and password no longer work: use Forgot password, with the one-time code you were given at the verification, to choose new ones.")
            }
            return ("your identity was verified", lines, "Your identity was verified.")
        case .accountDeleted(let at):
            return ("your account was deleted", ["Your account was deleted at \(Self.time(at))."], "Your account was deleted.")
        }
    }

    /// A time as an ISO 8601 UTC date and minute, computed without Foundation's calendar (civil-from-days,
    /// proleptic Gregorian).
    static func time(_ timestamp: Timestamp) -> String {
        let seconds = timestamp.millisecondsSinceEpoch / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)) UTC"
    }
}
