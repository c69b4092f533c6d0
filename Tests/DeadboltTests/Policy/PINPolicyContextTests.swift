import Testing
@testable import Deadbolt

/// The rules drawn from what the caller knows about the person, and the bounds on that knowledge.
@Suite struct PINPolicyContextTests {
    private func violations(_ pin: String, _ context: PINContext) throws -> Set<PINPolicy.Violation> {
        Set(try PINPolicy(lengths: 4...8).evaluate(pin, context: context))
    }

    private func birthday() throws -> PINContext {
        try PINContext(birthDate: .init(year: 1985, month: 3, day: 14))
    }

    /// 14 March 1985 as MMDD, DDMM, MMYY, YYYY; DDMMYY, MMDDYY, YYMMDD, MMYYYY, YYYYMM; the three eight-digit
    /// forms; and five- and six-digit PINs that contain the year, MMDD or DDMM.
    @Test(arguments: [
        "0314", "1403", "0385", "1985", "140385", "031485", "850314", "031985", "198503",
        "14031985", "03141985", "19850314", "71985", "271403", "903148",
    ])
    func birthDateFormsAreRefused(pin: String) throws {
        #expect(try violations(pin, birthday()).contains(.matchesBirthDate))
    }

    @Test(arguments: ["4829", "0315", "1986", "150386", "739164"])
    func otherNumbersDoNotMatchTheBirthDate(pin: String) throws {
        #expect(try !violations(pin, birthday()).contains(.matchesBirthDate))
    }

    @Test func birthDateIsOnlyCheckedWhenGiven() throws {
        #expect(try !violations("0314", .empty).contains(.matchesBirthDate))
    }

    @Test(arguments: ["6241", "962417", "16241"])
    func ssnLastFourIsRefused(pin: String) throws {
        #expect(try violations(pin, PINContext(ssnLastFour: "6241")).contains(.matchesSSN))
    }

    @Test(arguments: ["6242", "4829", "624"])
    func otherNumbersDoNotMatchTheSSN(pin: String) throws {
        #expect(try !violations(pin, PINContext(ssnLastFour: "6241")).contains(.matchesSSN))
    }

    /// Inside the number (5550, 4155, 550172), its last four (0172), or a PIN containing its last four.
    @Test(arguments: ["5550", "4155", "0172", "550172", "901729", "14155550"])
    func phoneNumberDigitsAreRefused(pin: String) throws {
        #expect(try violations(pin, PINContext(phoneNumber: "+1 (415) 555-0172")).contains(.matchesPhoneNumber))
    }

    @Test(arguments: ["4829", "0173", "739164"])
    func otherNumbersDoNotMatchThePhone(pin: String) throws {
        #expect(try !violations(pin, PINContext(phoneNumber: "+1 (415) 555-0172")).contains(.matchesPhoneNumber))
    }

    @Test func previousPINAndItsReversalAreRefused() throws {
        let context = try PINContext(previousPIN: "4829")
        #expect(PINPolicy.standard.evaluate("4829", context: context) == [.matchesPreviousPIN])
        #expect(PINPolicy.standard.evaluate("9284", context: context) == [.reversesPreviousPIN])
        #expect(PINPolicy.standard.evaluate("4828", context: context) == [])
        #expect(PINPolicy.standard.evaluate("482900", context: context) == [])
    }

    @Test func contextRulesAreReportedWithPatternRules() throws {
        let context = try PINContext(
            birthDate: .init(year: 1990, month: 12, day: 12), ssnLastFour: "1990", phoneNumber: "555 1990",
            previousPIN: "0991")
        #expect(
            PINPolicy.standard.evaluate("1990", context: context) == [
                .year, .matchesBirthDate, .matchesSSN, .matchesPhoneNumber, .reversesPreviousPIN,
            ])
    }

    @Test(arguments: ["624", "62411", "62a1", "６２４１", ""])
    func malformedSSNLastFourIsRefused(text: String) {
        #expect(throws: PINPolicyError.invalidSSNLastFour) { try PINContext(ssnLastFour: text) }
    }

    @Test func overlongPhoneNumberIsRefusedBeforeParsing() {
        let long = String(repeating: "1", count: PINContext.maximumPhoneNumberLength + 1)
        #expect(throws: PINPolicyError.phoneNumberTooLong(maximum: 32)) { try PINContext(phoneNumber: long) }
        #expect(throws: PINPolicyError.phoneNumberTooLong(maximum: 32)) {
            try PINContext(phoneNumber: String(repeating: "x", count: 1_000_000))
        }
    }

    /// Letters, too few digits, more than E.164's fifteen, other scripts' digits.
    @Test(arguments: ["555-CALL-NOW", "123", "1234567890123456", "٥٥٥١٢٣٤", "555 0172 ext"])
    func malformedPhoneNumberIsRefused(text: String) {
        #expect(throws: PINPolicyError.invalidPhoneNumber) { try PINContext(phoneNumber: text) }
    }

    @Test(arguments: ["", "48 29", "١٢٣٤", String(repeating: "1", count: 65)])
    func malformedPreviousPINIsRefused(text: String) {
        #expect(throws: PINPolicyError.invalidPreviousPIN) { try PINContext(previousPIN: text) }
    }

    @Test func birthDatesAreRealDays() throws {
        #expect(throws: PINPolicyError.invalidBirthDate) { try PINContext.BirthDate(year: 1985, month: 2, day: 29) }
        #expect(throws: PINPolicyError.invalidBirthDate) { try PINContext.BirthDate(year: 1985, month: 13, day: 1) }
        #expect(throws: PINPolicyError.invalidBirthDate) { try PINContext.BirthDate(year: 1899, month: 12, day: 31) }
        #expect(throws: PINPolicyError.invalidBirthDate) { try PINContext.BirthDate(year: 1900, month: 2, day: 29) }
        let leap = try PINContext.BirthDate(year: 2000, month: 2, day: 29)
        #expect(leap.day == 29)
    }

    @Test func birthDateParsesISO8601Only() throws {
        let parsed = try PINContext.BirthDate(iso8601: "1985-03-14")
        #expect(parsed == (try PINContext.BirthDate(year: 1985, month: 3, day: 14)))
        let malformed = ["1985-3-14", "1985/03/14", "14-03-1985", "1985-03-14T00:00", "1985-02-30", "", "١٩٨٥-٠٣-١٤"]
        for text in malformed {
            #expect(throws: PINPolicyError.invalidBirthDate) { try PINContext.BirthDate(iso8601: text) }
        }
    }

    @Test func contextPrintsFieldsNotValues() throws {
        let context = try PINContext(ssnLastFour: "6241", phoneNumber: "4155550172", previousPIN: "4829")
        #expect(context.description == "PINContext(ssnLastFour, phoneNumber, previousPIN)")
        #expect(PINContext.empty.description == "PINContext()")
    }
}
