import Testing
@testable import Deadbolt

/// The rules that look at the PIN alone, each with PINs it must catch and PINs it must let through.
@Suite struct PINPolicyRuleTests {
    /// The violations under a policy accepting every supported length, so each rule can be seen at 4 to 8 digits.
    private func rules(_ pin: String) throws -> Set<PINPolicy.Violation> {
        Set(try PINPolicy(lengths: PINPolicy.supportedLengths).evaluate(pin))
    }

    @Test(arguments: ["0000", "1111", "777777", "99999"])
    func repeatedDigitIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.repeatedDigit))
    }

    @Test(arguments: ["0001", "4829", "1000"])
    func mixedDigitsAreNotARepeatedDigit(pin: String) throws {
        #expect(try !rules(pin).contains(.repeatedDigit))
    }

    @Test(arguments: ["1234", "0123", "8901", "7890", "90123", "456789", "12345678"])
    func ascendingRunIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.ascendingRun))
    }

    @Test(arguments: ["1243", "1235", "2468", "4829", "9876"])
    func brokenOrOtherRunsAreNotAscending(pin: String) throws {
        #expect(try !rules(pin).contains(.ascendingRun))
    }

    @Test(arguments: ["9876", "3210", "1098", "0987", "654321", "21098"])
    func descendingRunIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.descendingRun))
    }

    @Test(arguments: ["9867", "8642", "1234", "4829"])
    func brokenOrOtherRunsAreNotDescending(pin: String) throws {
        #expect(try !rules(pin).contains(.descendingRun))
    }

    @Test(arguments: ["1212", "4545", "123123", "121212", "12121", "1122", "112233", "12341234"])
    func repeatedPatternIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.repeatedPattern))
    }

    @Test(arguments: ["1221", "1123", "4829", "123412", "0000"])
    func otherShapesAreNotARepeatedPattern(pin: String) throws {
        #expect(try !rules(pin).contains(.repeatedPattern))
    }

    @Test(arguments: ["1221", "123321", "12321", "4774"])
    func palindromeIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.palindrome))
    }

    @Test(arguments: ["1231", "4829", "0000"])
    func otherShapesAreNotAPalindrome(pin: String) throws {
        #expect(try !rules(pin).contains(.palindrome))
    }

    /// Strokes with at most one bend, whole keypad lines, and the corner and edge shapes.
    @Test(arguments: [
        "2580", "0852", "1470", "3690", "1590", "7532", "1478", "0741", "0963",
        "789456", "159753", "147258", "321654", "1379", "9713", "2468", "8426",
    ])
    func keypadPatternIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.keypadPattern))
    }

    /// 2156 bends twice; 1357 skips keys and is not a shape of four corners or four edges; 1397 5 adds a key.
    @Test(arguments: ["4829", "2156", "1357", "13795", "739164", "2581"])
    func otherSequencesAreNotKeypadPatterns(pin: String) throws {
        #expect(try !rules(pin).contains(.keypadPattern))
    }

    @Test func keypadShapesComeFromTheGeometry() {
        #expect(Keypad.shapes == [[1, 3, 7, 9], [2, 4, 6, 8]])
        // 0 sits under 8, so 8-0 is a step down and 7-0 a diagonal step, as on a phone.
        #expect(Keypad.step(from: 8, to: 0) == Keypad.Step(rows: 1, columns: 0))
        #expect(Keypad.step(from: 7, to: 0) == Keypad.Step(rows: 1, columns: 1))
    }

    @Test(arguments: ["1900", "1990", "2012", "2099", "1985"])
    func yearIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.year))
    }

    @Test(arguments: ["1899", "2100", "4829", "199012"])
    func otherNumbersAreNotYears(pin: String) throws {
        #expect(try !rules(pin).contains(.year))
    }

    /// One example per form: MMDD, DDMM, MMYY; DDMMYY, MMDDYY, YYMMDD, MMYYYY, YYYYMM; DDMMYYYY, MMDDYYYY,
    /// YYYYMMDD; and leap days.
    @Test(arguments: [
        "0101", "1225", "2512", "1299", "0229", "3101",
        "251299", "122599", "991225", "121999", "199912", "290296",
        "25121999", "12251999", "19991225", "29022000",
    ])
    func dateIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.date))
    }

    /// 3102 would be 31 February; 290297 would be 29 February 1997 or 2097, neither a leap year; 29021900 is the
    /// 29 February of a year that was not leap.
    @Test(arguments: ["3213", "3102", "4829", "739164", "290297", "29021900", "4829164"])
    func impossibleDatesAreNotDates(pin: String) throws {
        #expect(try !rules(pin).contains(.date))
    }

    @Test(arguments: ["5683", "1004", "6969", "2000", "0007", "42069", "159753", "007007", "8675309"])
    func commonPINIsRefused(pin: String) throws {
        #expect(try rules(pin).contains(.commonPIN))
    }

    @Test(arguments: ["4829", "5684", "739164"])
    func uncommonPINIsNotCommon(pin: String) throws {
        #expect(try !rules(pin).contains(.commonPIN))
    }

    @Test(arguments: ["4829", "739164", "58213", "3860"])
    func cleanPINPasses(pin: String) {
        #expect(PINPolicy.standard.evaluate(pin) == [])
        #expect(PINPolicy.standard.isAllowed(pin))
    }

    @Test func everyFailingRuleIsReturnedInOrder() {
        #expect(PINPolicy.standard.evaluate("1212") == [.repeatedPattern, .date, .commonPIN])
        #expect(PINPolicy.standard.evaluate("0000") == [.repeatedDigit, .commonPIN])
        #expect(PINPolicy.standard.evaluate("1234") == [.ascendingRun, .date, .commonPIN])
        #expect(PINPolicy.standard.evaluate("123456") == [.ascendingRun, .keypadPattern, .commonPIN])
        #expect(PINPolicy.standard.evaluate("2580") == [.keypadPattern, .commonPIN])
    }
}
