/// One rule a new password breaks (NIST SP 800-63B §5.1.1.2). ``PasswordPolicy/evaluate(_:email:)`` returns every
/// one that applies. No case, message or description holds the password.
public enum PasswordViolation: Sendable, Hashable, CustomStringConvertible {
    /// Fewer characters (Unicode code points after NFKC) than the minimum.
    case tooShort(minimum: Int)
    /// More characters than the maximum, or more bytes than the hasher accepts.
    case tooLong(maximum: Int)
    /// On the list of common and breached passwords.
    case common
    /// One character repeated, or a run of sequential characters (`aaaaaaaaaaaa`, `123456789012`): §5.1.1.2 names
    /// "repetitive or sequential characters" among what a verifier refuses.
    case repetitiveOrSequential
    /// Built from the email address (its local part, or the whole address).
    case containsEmail
    /// Built from the service's name.
    case containsServiceName

    /// A sentence for the person choosing the password; never contains it.
    public var message: String {
        switch self {
        case .tooShort(let minimum): "Use at least \(minimum) characters. A few unrelated words make a strong password."
        case .tooLong(let maximum): "Use at most \(maximum) characters."
        case .common: "This password is on a list of passwords that are common or have appeared in data breaches."
        case .repetitiveOrSequential: "This password repeats one character or counts along a sequence."
        case .containsEmail: "This password is built from your email address."
        case .containsServiceName: "This password is built from the name of this service."
        }
    }

    /// The same as ``message``.
    public var description: String { message }
}
