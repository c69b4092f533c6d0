/// The rules that look only at the PIN's digits, not at the person. Digits arrive as values 0–9, already checked
/// for length, so every index below is in range.
enum PINRules {
    static func appendPatternViolations(_ digits: [UInt8], to violations: inout [PINPolicy.Violation]) {
        let allSame = isRepeatedDigit(digits)
        if allSame { violations.append(.repeatedDigit) }
        if isRun(digits, step: 1) { violations.append(.ascendingRun) }
        if isRun(digits, step: 9) { violations.append(.descendingRun) }
        // One repeated digit is already reported; the next two rules name shapes made of at least two digits.
        if !allSame && (isPeriodic(digits) || isDoubled(digits)) { violations.append(.repeatedPattern) }
        if !allSame && isPalindrome(digits) { violations.append(.palindrome) }
        if Keypad.isStroke(digits[...]) || Keypad.isLines(digits) || Keypad.isShape(digits) {
            violations.append(.keypadPattern)
        }
        if isYear(digits) { violations.append(.year) }
        if isDate(digits) { violations.append(.date) }
        if PINBlocklist.contains(digits) { violations.append(.commonPIN) }
    }

    static func isRepeatedDigit(_ digits: [UInt8]) -> Bool {
        digits.allSatisfy { $0 == digits[0] }
    }

    /// Each digit is the previous plus `step`, modulo 10: step 1 ascends (wrapping 9 to 0, as in 8901), step 9
    /// descends (wrapping 0 to 9, as in 1098).
    static func isRun(_ digits: [UInt8], step: UInt8) -> Bool {
        digits.indices.dropFirst().allSatisfy { digits[$0] == (digits[$0 - 1] + step) % 10 }
    }

    /// A block of two or more digits repeated, the last copy possibly cut short: 1212, 123123, 12121.
    static func isPeriodic(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 4 else { return false }
        return (2...(digits.count / 2)).contains { period in
            digits.indices.dropFirst(period).allSatisfy { digits[$0] == digits[$0 - period] }
        }
    }

    /// Each digit typed twice: 1122, 112233.
    static func isDoubled(_ digits: [UInt8]) -> Bool {
        digits.count % 2 == 0 && stride(from: 0, to: digits.count, by: 2).allSatisfy { digits[$0] == digits[$0 + 1] }
    }

    static func isPalindrome(_ digits: [UInt8]) -> Bool {
        digits.indices.allSatisfy { digits[$0] == digits[digits.count - 1 - $0] }
    }

    static func isYear(_ digits: [UInt8]) -> Bool {
        digits.count == 4 && CalendarDates.years.contains(number(digits, 0, 4))
    }

    /// The date forms of the issue: MMDD, DDMM, MMYY for four digits; DDMMYY, MMDDYY, YYMMDD, MMYYYY, YYYYMM for
    /// six; DDMMYYYY, MMDDYYYY, YYYYMMDD for eight. Five and seven digits have no common date form.
    static func isDate(_ digits: [UInt8]) -> Bool {
        switch digits.count {
        case 4:
            let first = number(digits, 0, 2)
            let second = number(digits, 2, 2)
            return CalendarDates.isMonthDay(month: first, day: second)
                || CalendarDates.isMonthDay(month: second, day: first)
                || (1...12).contains(first)
        case 6:
            let first = number(digits, 0, 2)
            let middle = number(digits, 2, 2)
            let last = number(digits, 4, 2)
            return CalendarDates.isDate(twoDigitYear: last, month: middle, day: first)
                || CalendarDates.isDate(twoDigitYear: last, month: first, day: middle)
                || CalendarDates.isDate(twoDigitYear: first, month: middle, day: last)
                || ((1...12).contains(first) && CalendarDates.years.contains(number(digits, 2, 4)))
                || (CalendarDates.years.contains(number(digits, 0, 4)) && (1...12).contains(last))
        case 8:
            let first = number(digits, 0, 2)
            let second = number(digits, 2, 2)
            let lastYear = number(digits, 4, 4)
            return CalendarDates.isDate(year: lastYear, month: second, day: first)
                || CalendarDates.isDate(year: lastYear, month: first, day: second)
                || CalendarDates.isDate(
                    year: number(digits, 0, 4), month: number(digits, 4, 2), day: number(digits, 6, 2))
        default:
            return false
        }
    }

    /// The decimal value of `count` digits from `start`.
    static func number(_ digits: [UInt8], _ start: Int, _ count: Int) -> Int {
        digits[start..<(start + count)].reduce(0) { $0 * 10 + Int($1) }
    }

    /// Whether `needle` occurs as a contiguous part of `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
