import Deadbolt
import FuzzSupport

/// What a person types and what a caller knows about them: the PIN as bytes through every policy, a context's text
/// form, and a birth date. A context that parses parses the same with comments and blank lines added; a refusal
/// names a line that exists; a birth date that parses writes back to the same text; the PIN's answer depends on
/// the PIN and the context only, and bytes that are not digits are always refused as such.
@main enum FuzzPINInput {
    static let policies = [PINPolicy.standard, .recommendedSixDigit]

    static func main() {
        runFuzzer { bytes in
            let parts = fields(bytes, count: 2)
            let pin = parts[0]
            let text = parts.count > 1 ? parts[1] : []

            var context = PINContext.empty
            do {
                context = try PINContext(text: text)
                let padded = Array("# added\n\n".utf8) + text + Array("\n\n# end\n".utf8)
                if padded.count <= PINContext.maximumTextLength {
                    require((try? PINContext(text: padded))?.description == context.description, "comments change nothing")
                }
            } catch PINPolicyError.invalidContextLine(let line) {
                let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                require(line >= 0 && line <= lines, "a refused line exists")
            } catch {
                require(!"\(error)".isEmpty, "errors describe themselves")
            }

            let date = String(decoding: pin, as: UTF8.self)
            if let birth = try? PINContext.BirthDate(iso8601: date) {
                func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
                require("\(birth.year)-\(two(birth.month))-\(two(birth.day))" == date, "a birth date writes back the same")
            }

            for policy in policies {
                let violations = policy.evaluate(utf8: pin, context: context)
                require(violations == policy.evaluate(utf8: pin, context: context), "the answer is deterministic")
                let digits = pin.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                if !digits && pin.count <= PINPolicy.maximumInputBytes {
                    require(violations.contains(.notDigits), "bytes that are not digits are refused as such")
                }
                for violation in violations {
                    require(pin.isEmpty || !violation.message.utf8.elementsEqual(pin), "a message never is the PIN")
                }
            }
        }
    }
}
