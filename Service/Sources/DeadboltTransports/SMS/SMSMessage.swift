/// One text message for ``SMSGatewayClient``: a destination in E.164 form, the text, and a reference that stays the
/// same when the outbox retries it.
public struct SMSMessage: Sendable {
    /// The longest text accepted, in UTF-8 bytes (ten concatenated GSM segments are about 1,530 characters).
    public static let maximumTextLength = 1024
    /// The longest reference accepted, in bytes.
    public static let maximumReferenceLength = 128

    /// The destination, `+` and 8 to 15 digits (ITU-T E.164 §6: at most 15 digits).
    public let to: String
    /// The text.
    public let text: String
    /// The idempotency reference: letters, digits, `-`, `.` and `_`.
    public let reference: String

    /// Checks every part.
    /// - Throws: ``SMSMessageError`` naming the part that is wrong.
    public init(to: String, text: String, reference: String) throws(SMSMessageError) {
        let digits = to.utf8.dropFirst()
        guard to.utf8.first == UInt8(ascii: "+"), (8...15).contains(digits.count),
            digits.first != UInt8(ascii: "0"),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { throw .invalidPhoneNumber }
        guard !text.isEmpty, text.utf8.count <= Self.maximumTextLength else {
            throw .textLength(limit: Self.maximumTextLength)
        }
        guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 || $0 == "\n" }) else {
            throw .controlCharacter
        }
        guard (1...Self.maximumReferenceLength).contains(reference.utf8.count),
            reference.utf8.allSatisfy({
                switch $0 {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                    true
                default:
                    false
                }
            })
        else { throw .malformedReference }
        self.to = to
        self.text = text
        self.reference = reference
    }
}

/// Why an ``SMSMessage`` cannot be made. The cases never carry the text (it may hold a code).
public enum SMSMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The destination is not `+` and 8 to 15 digits, the first not 0.
    case invalidPhoneNumber
    /// The text is empty or longer than the bound, in UTF-8 bytes.
    case textLength(limit: Int)
    /// The text has a control character other than a line feed.
    case controlCharacter
    /// The reference is empty, too long, or has a character other than letters, digits, `-`, `.` and `_`.
    case malformedReference

    public var description: String {
        switch self {
        case .invalidPhoneNumber: "the destination is not an E.164 phone number (+ and 8 to 15 digits)"
        case .textLength(let limit): "the text must be 1 to \(limit) bytes"
        case .controlCharacter: "the text has a control character other than a line feed"
        case .malformedReference: "the reference must be 1 to 128 letters, digits, -, . or _"
        }
    }
}
