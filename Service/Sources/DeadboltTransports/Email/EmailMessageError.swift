/// Why an email message cannot be built. The cases name the field, never its value (a subject or a body may carry
/// a code).
public enum EmailMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A header value holds a CR, an LF or another control character: it would start a new header (injection).
    case forbiddenCharacter(field: String)
    /// A value longer than its bound, in UTF-8 bytes.
    case tooLong(field: String, limit: Int)
    /// An address that is not `local-part@domain` as ``MailAddress`` accepts it.
    case invalidAddress(field: String, expected: String)
    /// No recipient, or more than the bound.
    case recipientCount(limit: Int)
    /// A Message-ID left part that is not letters, digits, `-` and `_` in parts joined by single dots.
    case malformedIdentifier
    /// The system random generator failed, so no unique Message-ID could be made.
    case randomUnavailable

    public var description: String {
        switch self {
        case .forbiddenCharacter(let field):
            "the \(field) contains a line break or another control character, which a header cannot carry"
        case .tooLong(let field, let limit): "the \(field) is longer than \(limit) bytes"
        case .invalidAddress(let field, let expected):
            "the \(field) is not a usable email address: expected \(expected)"
        case .recipientCount(let limit): "a message needs between 1 and \(limit) recipients"
        case .malformedIdentifier:
            "the message identifier must be letters, digits, - and _ in parts joined by single dots"
        case .randomUnavailable: "the system random generator is unavailable, so no Message-ID could be made"
        }
    }
}
