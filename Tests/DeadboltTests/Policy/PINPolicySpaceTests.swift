import Testing
@testable import Deadbolt

/// The size of the space the policy leaves, cross-checked against a second, deliberately plain statement of the
/// rules written from the specification in docs/pin-policy.md, not from the policy's code.
@Suite struct PINPolicySpaceTests {
    /// An independent brute-force count: each rule restated over `[Int]` with no shared helpers except the
    /// blocklist's data.
    enum PlainRules {
        static let keypad: [Int: (row: Int, column: Int)] = {
            var places: [Int: (row: Int, column: Int)] = [:]
            for (index, key) in "123456789*0#".enumerated() {
                if let digit = Int(String(key)) { places[digit] = (index / 3, index % 3) }
            }
            return places
        }()
        static let daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        static let blocklist = Set(PINBlocklist.all)

        static func isRefused(_ digits: [Int]) -> Bool {
            let count = digits.count
            let pairs = Array(zip(digits, digits.dropFirst()))
            let value = digits.reduce(0) { $0 * 10 + $1 }
            if Set(digits).count == 1 { return true }
            if pairs.allSatisfy({ ($1 - $0 + 10) % 10 == 1 }) { return true }
            if pairs.allSatisfy({ ($1 - $0 + 10) % 10 == 9 }) { return true }
            if count >= 4 && (2...(count / 2)).contains(where: { p in digits == (0..<count).map { digits[$0 % p] } }) {
                return true
            }
            if count % 2 == 0 && stride(from: 0, to: count, by: 2).allSatisfy({ digits[$0] == digits[$0 + 1] }) {
                return true
            }
            if digits == digits.reversed() { return true }
            if isKeypad(digits) { return true }
            if count == 4 && (1900...2099).contains(value) { return true }
            if count == 4 {
                let first = value / 100
                let second = value % 100
                if isMonthDay(first, second) || isMonthDay(second, first) || (1...12).contains(first) { return true }
            }
            let text = digits.map(String.init).joined()
            return blocklist.contains(text)
        }

        static func isMonthDay(_ month: Int, _ day: Int) -> Bool {
            (1...12).contains(month) && day >= 1 && day <= daysInMonth[month - 1]
        }

        static func isKeypad(_ digits: [Int]) -> Bool {
            let moves: [[Int]] = zip(digits, digits.dropFirst()).compactMap { a, b in
                guard let from = keypad[a], let to = keypad[b] else { return nil }
                return [to.row - from.row, to.column - from.column]
            }
            let neighbourly = moves.allSatisfy { max(abs($0[0]), abs($0[1])) == 1 }
            let bends = zip(moves, moves.dropFirst()).filter { $0 != $1 }.count
            if digits.count >= 3 && neighbourly && bends <= 1 { return true }
            // Whole three-key lines: within each group of three, two equal moves to a neighbouring key.
            let lines = stride(from: 0, to: max(digits.count - 2, 0), by: 3).allSatisfy { start in
                moves[start] == moves[start + 1] && max(abs(moves[start][0]), abs(moves[start][1])) == 1
            }
            if digits.count >= 6 && digits.count % 3 == 0 && lines { return true }
            return Set(digits) == [1, 3, 7, 9] || Set(digits) == [2, 4, 6, 8]
        }

        static func allowedCount(length: Int) -> Int {
            var total = 1
            for _ in 0..<length { total *= 10 }
            return (0..<total).filter { number in
                var digits = [Int](repeating: 0, count: length)
                var rest = number
                for index in stride(from: length - 1, through: 0, by: -1) {
                    digits[index] = rest % 10
                    rest /= 10
                }
                return !isRefused(digits)
            }.count
        }
    }

    /// Lengths 4 and 5 only: the plain count of six digits takes too long in a debug build. The six-digit figure
    /// in docs/pin-policy.md comes from `deadbolt pin space`, and is bounded below.
    @Test(arguments: [4, 5])
    func remainingSpaceMatchesAnIndependentCount(length: Int) {
        let counted = PINPolicy.standard.remainingSpace(length: length)
        #expect(counted == PlainRules.allowedCount(length: length))
    }

    @Test func remainingSpaceHasTheDocumentedValues() {
        #expect(PINPolicy.standard.remainingSpace(length: 4) == 7_970)
        #expect(PINPolicy.standard.remainingSpace(length: 5) == 98_459)
    }

    @Test func sixDigitSpaceIsWithinBounds() {
        let remaining = PINPolicy.recommendedSixDigit.remainingSpace(length: 6)
        #expect(remaining > 800_000)
        #expect(remaining < 1_000_000)
    }

    @Test func lengthsThePolicyRefusesLeaveNothing() {
        #expect(PINPolicy.standard.remainingSpace(length: 3) == 0)
        #expect(PINPolicy.standard.remainingSpace(length: 7) == 0)
        #expect(PINPolicy.recommendedSixDigit.remainingSpace(length: 4) == 0)
    }

    /// The plain rules agree with the policy on the examples from the issue, so a disagreement in the counts above
    /// points at a real difference rather than at the plain rules being wrong everywhere.
    @Test(arguments: ["0000", "1234", "9876", "8901", "1212", "2580", "1470", "1379", "1990", "2012", "0101",
        "1225", "2512", "1299", "5683", "4829", "3860", "58213"])
    func plainRulesAgreeOnExamples(pin: String) {
        let digits = pin.compactMap { $0.wholeNumberValue }
        #expect(PlainRules.isRefused(digits) == !PINPolicy.standard.isAllowed(pin))
    }
}
