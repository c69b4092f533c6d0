import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    /// Chi-square tests of the code sampler with fixed, generous thresholds: each threshold is above the 1-in-a-
    /// million critical value for its degrees of freedom, yet far below what the modulo bias of `byte % n`
    /// produces at these sample sizes (about 220 for digits over 600 000 symbols, over 3000 for 31 symbols).
    @Suite struct UniformityTests {
        static func chiSquare(_ counts: [Int]) -> Double {
            let total = Double(counts.reduce(0, +))
            let expected = total / Double(counts.count)
            return counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        }

        @Test func numericCodesAreUniform() throws {
            var firstDigit = [Int](repeating: 0, count: 10)
            var everyDigit = [Int](repeating: 0, count: 10)
            var modSixteen = [Int](repeating: 0, count: 16)
            for _ in 0..<100_000 {
                let code = Array(try CodeAlphabet.draw(length: 6, from: CodeAlphabet.digits).utf8)
                firstDigit[Int(code[0] - UInt8(ascii: "0"))] += 1
                var value = 0
                for digit in code {
                    everyDigit[Int(digit - UInt8(ascii: "0"))] += 1
                    value = value * 10 + Int(digit - UInt8(ascii: "0"))
                }
                // 10^6 is a multiple of 16, so a uniform code is uniform modulo 16.
                modSixteen[value % 16] += 1
            }
            #expect(Self.chiSquare(firstDigit) < 50)  // 9 degrees of freedom: p = 1e-6 at about 44
            #expect(Self.chiSquare(everyDigit) < 50)
            #expect(Self.chiSquare(modSixteen) < 65)  // 15 degrees of freedom: p = 1e-6 at about 57
        }

        @Test func unambiguousSymbolsAreUniform() throws {
            var counts = [Int](repeating: 0, count: CodeAlphabet.unambiguous.count)
            for _ in 0..<10_000 {
                for symbol in try CodeAlphabet.draw(length: 13, from: CodeAlphabet.unambiguous).utf8 {
                    guard let index = CodeAlphabet.unambiguous.firstIndex(of: symbol) else {
                        Issue.record("a symbol outside the alphabet")
                        return
                    }
                    counts[index] += 1
                }
            }
            #expect(Self.chiSquare(counts) < 90)  // 30 degrees of freedom: p = 1e-6 at about 80
        }

        @Test func theTestWouldCatchModuloBias() {
            // The same statistic on `byte % 10` over every byte value 2344 times (600 064 symbols) is far above 50.
            var counts = [Int](repeating: 0, count: 10)
            for _ in 0..<2344 {
                for byte in 0..<256 { counts[byte % 10] += 1 }
            }
            #expect(Self.chiSquare(counts) > 200)
        }
    }
}
