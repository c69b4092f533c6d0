/// Why a ``PINPolicy`` or a ``PINContext`` could not be built from what the caller supplied.
///
/// A PIN that breaks a rule is not an error: ``PINPolicy/evaluate(_:context:)`` answers with
/// ``PINPolicy/Violation`` values. No case carries a PIN, a date, a phone number or an SSN digit, only what was
/// wrong with it and what would be right.
public enum PINPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The requested PIN lengths are not inside the supported range.
    case lengthsOutOfRange(requested: ClosedRange<Int>, supported: ClosedRange<Int>)
    /// The birth date is not a real calendar date from 1900-01-01 to 2099-12-31, or not written `YYYY-MM-DD`.
    case invalidBirthDate
    /// The SSN's last four are not exactly four ASCII digits.
    case invalidSSNLastFour
    /// The phone number is longer than `maximum` bytes.
    case phoneNumberTooLong(maximum: Int)
    /// The phone number holds something other than digits, spaces, `+ - . ( )`, or fewer than four or more than
    /// fifteen digits (E.164's limit).
    case invalidPhoneNumber
    /// The previous PIN is longer than ``PINPolicy/maximumInputBytes`` or not all ASCII digits.
    case invalidPreviousPIN
    /// A line of a context's text form (``PINContext/init(text:)``) is not `name: value` with a known name given
    /// once, or the text is longer than ``PINContext/maximumTextLength``. `line` is 1-based; 0 means the whole text.
    case invalidContextLine(line: Int)

    /// What was wrong and what would be right, without the value supplied.
    public var description: String {
        switch self {
        case .lengthsOutOfRange(let requested, let supported):
            "PIN lengths \(requested.lowerBound)...\(requested.upperBound) are out of range: "
                + "expected lengths within \(supported.lowerBound)...\(supported.upperBound)"
        case .invalidBirthDate:
            "the birth date is not a real date written YYYY-MM-DD between 1900-01-01 and 2099-12-31"
        case .invalidSSNLastFour: "the SSN's last four must be exactly four digits"
        case .phoneNumberTooLong(let maximum): "the phone number is longer than \(maximum) characters"
        case .invalidPhoneNumber:
            "the phone number must hold 4 to 15 digits, optionally with spaces, '+', '-', '.', '(' and ')'"
        case .invalidPreviousPIN:
            "the previous PIN must be digits only, at most \(PINPolicy.maximumInputBytes) of them"
        case .invalidContextLine(let line):
            line == 0
                ? "the context is longer than \(PINContext.maximumTextLength) bytes"
                : "context line \(line) is not 'birth-date: YYYY-MM-DD', 'ssn-last-four: NNNN' or 'phone: NUMBER' "
                    + "(each name at most once)"
        }
    }
}
