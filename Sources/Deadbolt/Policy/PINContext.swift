/// What the caller knows about the person choosing a PIN, so the policy can refuse PINs built from it: the first
/// things someone who knows the person (or holds their wallet) would try.
///
/// Every field is optional; ``empty`` holds none. Inputs are validated and bounded when the context is built, and
/// a malformed one is a typed ``PINPolicyError`` rather than silently ignored, so a caller who passes a phone
/// number learns when it is not being used. The context prints as which fields are set, never their values.
public struct PINContext: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// A birth date as calendar components, not a Foundation `Date`, so no time zone can shift the day.
    public struct BirthDate: Sendable, Equatable {
        /// The year, 1900 to 2099.
        public let year: Int
        /// The month, 1 to 12.
        public let month: Int
        /// The day of the month, valid for that month and year.
        public let day: Int

        /// A birth date from its components.
        /// - Throws: ``PINPolicyError/invalidBirthDate`` when the components are not a real day from 1900-01-01
        ///   to 2099-12-31.
        public init(year: Int, month: Int, day: Int) throws {
            guard CalendarDates.isDate(year: year, month: month, day: day) else {
                throw PINPolicyError.invalidBirthDate
            }
            self.year = year
            self.month = month
            self.day = day
        }

        /// A birth date written `YYYY-MM-DD` (ISO 8601's calendar date, as an HTML date input sends it).
        /// - Throws: ``PINPolicyError/invalidBirthDate`` for anything else, including any text that is not
        ///   exactly ten characters.
        public init(iso8601 text: String) throws {
            let bytes = Array(text.utf8.prefix(11))
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
                throw PINPolicyError.invalidBirthDate
            }
            func field(_ range: Range<Int>) throws -> Int {
                try bytes[range].reduce(0) { value, byte in
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                        throw PINPolicyError.invalidBirthDate
                    }
                    return value * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            try self.init(year: field(0..<4), month: field(5..<7), day: field(8..<10))
        }
    }

    /// The longest phone number accepted, in bytes: room for E.164's 15 digits with a `+`, spaces and brackets.
    public static let maximumPhoneNumberLength = 32

    /// No context: only the rules that look at the PIN alone apply.
    public static let empty = PINContext()

    /// The person's birth date, if supplied.
    public let birthDate: BirthDate?
    private let ssnLastFour: [UInt8]?
    private let phoneDigits: [UInt8]?
    private let previousPIN: SecretBytes?

    /// A context with no fields; the same as ``empty``.
    public init() {
        birthDate = nil
        ssnLastFour = nil
        phoneDigits = nil
        previousPIN = nil
    }

    /// A context from what the caller knows about the person; pass `nil` for what it does not know.
    ///
    /// - Parameters:
    ///   - birthDate: the person's birth date.
    ///   - ssnLastFour: the last four digits of their social security number, exactly four ASCII digits.
    ///   - phoneNumber: their phone number: 4 to 15 digits, optionally with spaces, `+`, `-`, `.`, `(` and `)`,
    ///     at most ``maximumPhoneNumberLength`` bytes. Country codes are not stripped; the PIN is compared with
    ///     the digits as given and with their last four.
    ///   - previousPIN: the PIN being replaced, ASCII digits, at most ``PINPolicy/maximumInputBytes``.
    /// - Throws: ``PINPolicyError/invalidSSNLastFour``, ``PINPolicyError/phoneNumberTooLong(maximum:)``,
    ///   ``PINPolicyError/invalidPhoneNumber`` or ``PINPolicyError/invalidPreviousPIN``.
    public init(
        birthDate: BirthDate? = nil, ssnLastFour: String? = nil, phoneNumber: String? = nil, previousPIN: String? = nil
    ) throws {
        self.birthDate = birthDate
        if let ssnLastFour {
            guard let digits = Self.asciiDigits(ssnLastFour, maximumBytes: 4), digits.count == 4 else {
                throw PINPolicyError.invalidSSNLastFour
            }
            self.ssnLastFour = digits
        } else {
            self.ssnLastFour = nil
        }
        if let phoneNumber {
            phoneDigits = try Self.phoneDigits(phoneNumber)
        } else {
            phoneDigits = nil
        }
        if let previousPIN {
            guard var digits = Self.asciiDigits(previousPIN, maximumBytes: PINPolicy.maximumInputBytes),
                !digits.isEmpty
            else {
                throw PINPolicyError.invalidPreviousPIN
            }
            self.previousPIN = SecretBytes(digits)
            SecretBytes.wipe(&digits)
        } else {
            self.previousPIN = nil
        }
    }

    /// Which fields are set, never their values.
    public var description: String {
        let fields = [
            birthDate.map { _ in "birthDate" }, ssnLastFour.map { _ in "ssnLastFour" },
            phoneDigits.map { _ in "phoneNumber" }, previousPIN.map { _ in "previousPIN" },
        ].compactMap { $0 }
        return "PINContext(\(fields.joined(separator: ", ")))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    func appendViolations(_ digits: [UInt8], to violations: inout [PINPolicy.Violation]) {
        if let birthDate, Self.matches(digits, birthDate) { violations.append(.matchesBirthDate) }
        if let ssnLastFour, PINRules.contains(digits, ssnLastFour) { violations.append(.matchesSSN) }
        if let phoneDigits,
            PINRules.contains(phoneDigits, digits) || PINRules.contains(digits, Array(phoneDigits.suffix(4)))
        {
            violations.append(.matchesPhoneNumber)
        }
        if let previousPIN {
            if ConstantTime.equals(previousPIN, digits) { violations.append(.matchesPreviousPIN) }
            var reversed = Array(digits.reversed())
            defer { SecretBytes.wipe(&reversed) }
            if ConstantTime.equals(previousPIN, reversed) { violations.append(.reversesPreviousPIN) }
        }
    }

    /// The birth date in every form the date rule knows for the PIN's length; and, for five digits or more, the
    /// PIN containing its year, its MMDD or its DDMM.
    private static func matches(_ digits: [UInt8], _ date: BirthDate) -> Bool {
        let yyyy = pieces(date.year, width: 4)
        let yy = pieces(date.year % 100, width: 2)
        let mm = pieces(date.month, width: 2)
        let dd = pieces(date.day, width: 2)
        let forms: [[UInt8]] =
            switch digits.count {
            case 4: [mm + dd, dd + mm, mm + yy, yyyy]
            case 6: [dd + mm + yy, mm + dd + yy, yy + mm + dd, mm + yyyy, yyyy + mm]
            case 8: [dd + mm + yyyy, mm + dd + yyyy, yyyy + mm + dd]
            default: []
            }
        if forms.contains(digits) { return true }
        guard digits.count >= 5 else { return false }
        return [yyyy, mm + dd, dd + mm].contains { PINRules.contains(digits, $0) }
    }

    private static func pieces(_ value: Int, width: Int) -> [UInt8] {
        var value = value
        var result = [UInt8](repeating: 0, count: width)
        for index in stride(from: width - 1, through: 0, by: -1) {
            result[index] = UInt8(value % 10)
            value /= 10
        }
        return result
    }

    /// The digit values of `text` when it is at most `maximumBytes` long and ASCII digits only.
    private static func asciiDigits(_ text: String, maximumBytes: Int) -> [UInt8]? {
        guard text.utf8.count <= maximumBytes,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return text.utf8.map { $0 - UInt8(ascii: "0") }
    }

    private static func phoneDigits(_ text: String) throws -> [UInt8] {
        guard text.utf8.count <= maximumPhoneNumberLength else {
            throw PINPolicyError.phoneNumberTooLong(maximum: maximumPhoneNumberLength)
        }
        let separators: Set<UInt8> = Set(" +-.()".utf8)
        var digits: [UInt8] = []
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte - UInt8(ascii: "0"))
            } else if !separators.contains(byte) {
                throw PINPolicyError.invalidPhoneNumber
            }
        }
        // E.164 numbers have at most 15 digits; fewer than four cannot be compared with a PIN's last four.
        guard (4...15).contains(digits.count) else { throw PINPolicyError.invalidPhoneNumber }
        return digits
    }
}
