import Testing
@testable import Deadbolt

/// Length, characters, input bounds, configuration and messages.
@Suite struct PINPolicyInputTests {
    /// Arabic-Indic, full-width and Devanagari digits, spaces, signs, a decimal point, letters, a trailing newline.
    @Test(arguments: [
        "١٢٣٤", "１２３４", "१२३४", "12 34", " 4829", "+4829", "-4829", "48.29", "abcd", "4829\n",
    ])
    func nonASCIIDigitsAndOtherCharactersAreRefused(pin: String) {
        #expect(PINPolicy.standard.evaluate(pin) == [.notDigits])
    }

    @Test func lengthIsCountedInCharactersWhenNotDigits() {
        #expect(PINPolicy.standard.evaluate("١٢٣") == [.tooShort(minimum: 4), .notDigits])
        #expect(PINPolicy.standard.evaluate("١٢٣٤٥٦٧") == [.tooLong(maximum: 6), .notDigits])
    }

    @Test func emptyAndShortAreTooShort() {
        #expect(PINPolicy.standard.evaluate("") == [.tooShort(minimum: 4)])
        #expect(PINPolicy.standard.evaluate("482") == [.tooShort(minimum: 4)])
        #expect(PINPolicy.recommendedSixDigit.evaluate("4829") == [.tooShort(minimum: 6)])
    }

    @Test func longIsTooLong() {
        #expect(PINPolicy.standard.evaluate("4829164") == [.tooLong(maximum: 6)])
        #expect(PINPolicy.recommendedSixDigit.evaluate("7391640") == [.tooLong(maximum: 6)])
    }

    /// A megabyte that would break nearly every rule if read is answered with the length alone, as is anything
    /// over the byte bound, digits or not.
    @Test func inputOverTheByteBoundIsRefusedUnread() {
        let megabyte = String(repeating: "12", count: 512 * 1024)
        #expect(PINPolicy.standard.evaluate(megabyte) == [.tooLong(maximum: 6)])
        #expect(PINPolicy.standard.evaluate(utf8: Array(megabyte.utf8)) == [.tooLong(maximum: 6)])
        let justOver = String(repeating: "x", count: PINPolicy.maximumInputBytes + 1)
        #expect(PINPolicy.standard.evaluate(justOver) == [.tooLong(maximum: 6)])
        let atBound = String(repeating: "x", count: PINPolicy.maximumInputBytes)
        #expect(PINPolicy.standard.evaluate(atBound) == [.tooLong(maximum: 6), .notDigits])
    }

    @Test func bytesAndStringsAgree() {
        for pin in ["4829", "1234", "١٢٣٤", "", "0000000"] {
            #expect(PINPolicy.standard.evaluate(utf8: Array(pin.utf8)) == PINPolicy.standard.evaluate(pin))
        }
    }

    @Test func profilesHaveTheirLengths() throws {
        #expect(PINPolicy.standard.lengths == 4...6)
        #expect(PINPolicy.recommendedSixDigit.lengths == 6...6)
        #expect(try PINPolicy() == .standard)
        #expect(try PINPolicy(lengths: 5...8).evaluate("48291") == [])
    }

    @Test(arguments: [3...6, 4...9, 0...4, 9...12])
    func unsupportedLengthsAreRefused(lengths: ClosedRange<Int>) {
        #expect(throws: PINPolicyError.lengthsOutOfRange(requested: lengths, supported: 4...8)) {
            try PINPolicy(lengths: lengths)
        }
    }

    /// Every message of every violation, for every PIN of a sample, holds no digit, so it cannot hold the PIN.
    @Test func messagesNeverContainThePIN() throws {
        let policy = try PINPolicy(lengths: 4...8)
        let context = try PINContext(
            birthDate: .init(year: 1985, month: 3, day: 14), ssnLastFour: "6241", phoneNumber: "+1 415 555 0172",
            previousPIN: "4829")
        let pins = ["1234", "0000", "1985", "6241", "0172", "4829", "9284", "2580", "", "١٢٣٤", "123", "123456789"]
        var seen = 0
        for pin in pins {
            for violation in policy.evaluate(pin, context: context) {
                seen += 1
                #expect(!violation.message.contains(pin) || pin.isEmpty)
                #expect(!violation.message.contains { $0.isNumber })
                #expect(violation.description == violation.message)
            }
        }
        #expect(seen >= 15)
    }

    @Test func errorDescriptionsNeverContainTheInput() {
        let errors: [PINPolicyError] = [
            .invalidBirthDate, .invalidSSNLastFour, .invalidPhoneNumber, .invalidPreviousPIN,
            .phoneNumberTooLong(maximum: 32),
        ]
        for error in errors {
            #expect(!error.description.contains("6241"))
            #expect(!error.description.isEmpty)
        }
    }
}
