extension PINPolicy {
    /// One rule a PIN breaks. ``PINPolicy/evaluate(_:context:)`` returns every one that applies.
    ///
    /// No case carries the PIN or any part of the person's context, and ``message`` never contains them: a
    /// violation may be shown on a page, logged or sent to an analytics sink.
    public enum Violation: Sendable, Hashable, CustomStringConvertible {
        /// Fewer digits than the policy's minimum (an empty PIN included).
        case tooShort(minimum: Int)
        /// More digits than the policy's maximum, or more than ``PINPolicy/maximumInputBytes`` bytes of input.
        case tooLong(maximum: Int)
        /// Something other than the ASCII digits 0–9: another script's digits, full-width digits, spaces, signs.
        case notDigits
        /// One digit repeated throughout, like 0000.
        case repeatedDigit
        /// Each digit one more than the last, wrapping from 9 to 0, like 1234, 0123 or 8901.
        case ascendingRun
        /// Each digit one less than the last, wrapping from 0 to 9, like 9876, 3210 or 1098.
        case descendingRun
        /// A block of digits repeated (1212, 123123, 12121) or each digit doubled (1122, 112233).
        case repeatedPattern
        /// The same forwards and backwards, like 1221 or 123321.
        case palindrome
        /// A stroke or shape on a phone keypad: a straight line with at most one bend (2580, 1470, 7532), whole
        /// rows, columns or diagonals (789456, 159753), or only the four corner or four edge keys (1379, 2468).
        case keypadPattern
        /// A year from 1900 to 2099, like 1990.
        case year
        /// A calendar date: MMDD, DDMM or MMYY for four digits; DDMMYY, MMDDYY, YYMMDD, MMYYYY or YYYYMM for six;
        /// DDMMYYYY, MMDDYYYY or YYYYMMDD for eight. Five and seven digits have no date form.
        case date
        /// On the blocklist of most common PINs from published research (see `PINBlocklist.swift`).
        case commonPIN
        /// Equals a form of the person's birth date, or (for five digits and more) contains its year or day
        /// and month.
        case matchesBirthDate
        /// Equals or contains the last four digits of the person's social security number.
        case matchesSSN
        /// Appears in the person's phone number, or contains its last four digits.
        case matchesPhoneNumber
        /// Equals the person's previous PIN.
        case matchesPreviousPIN
        /// Is the person's previous PIN written backwards.
        case reversesPreviousPIN

        /// A sentence for the person choosing the PIN, saying what is wrong and what would be right. Holds no
        /// digit at all, so it never contains the PIN.
        public var message: String {
            switch self {
            case .tooShort(let minimum): "A PIN needs at least \(Self.spelled(minimum)) digits."
            case .tooLong(let maximum): "A PIN can have at most \(Self.spelled(maximum)) digits."
            case .notDigits: "A PIN can contain only the digits zero to nine, with no spaces or other characters."
            case .repeatedDigit: "The PIN repeats one digit; use different digits."
            case .ascendingRun: "The PIN counts upwards one digit at a time; such runs are among the first guesses."
            case .descendingRun: "The PIN counts downwards one digit at a time; such runs are among the first guesses."
            case .repeatedPattern: "The PIN repeats a group of digits, or types each digit twice."
            case .palindrome: "The PIN reads the same backwards."
            case .keypadPattern: "The PIN traces a line or a shape on a phone keypad."
            case .year: "The PIN is a year of the twentieth or twenty-first century."
            case .date: "The PIN is a calendar date, such as a day and month or a month and year."
            case .commonPIN: "The PIN is one of the most commonly chosen PINs."
            case .matchesBirthDate: "The PIN is based on your birth date."
            case .matchesSSN: "The PIN is based on your social security number."
            case .matchesPhoneNumber: "The PIN is based on your phone number."
            case .matchesPreviousPIN: "The PIN is the same as your previous PIN."
            case .reversesPreviousPIN: "The PIN is your previous PIN backwards."
            }
        }

        /// The same as ``message``.
        public var description: String { message }

        // Numbers are spelled out so that no message holds a digit: a message can then never contain a PIN,
        // not even a one-digit one. Lengths are bounded by `PINPolicy.supportedLengths`; beyond it, digits.
        private static func spelled(_ number: Int) -> String {
            let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
            return words.indices.contains(number) ? words[number] : "\(number)"
        }
    }
}
