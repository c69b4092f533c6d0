import Testing
@testable import Deadbolt

/// The text form of a PIN context, which keeps personal data off command lines.
@Suite struct PINContextTextTests {
    func violations(_ pin: String, _ text: String) throws -> Set<PINPolicy.Violation> {
        Set(try PINPolicy(lengths: 4...8).evaluate(pin, context: PINContext(text: Array(text.utf8))))
    }

    @Test func readsEveryFieldWithCommentsBlanksAndSpacing() throws {
        let text = "# person\n\n birth-date :\t1985-03-14 \r\nssn-last-four: 6241\nphone: +1 (555) 010-4417\n"
        let context = try PINContext(text: Array(text.utf8))
        #expect(context.birthDate == (try PINContext.BirthDate(year: 1985, month: 3, day: 14)))
        #expect("\(context)" == "PINContext(birthDate, ssnLastFour, phoneNumber)")
        #expect(try violations("140385", text).contains(.matchesBirthDate))
        #expect(try violations("962417", text).contains(.matchesSSN))
        #expect(try violations("4417", text).contains(.matchesPhoneNumber))
    }

    @Test func anEmptyTextIsAnEmptyContext() throws {
        #expect("\(try PINContext(text: [UInt8]()))" == "PINContext()")
        #expect("\(try PINContext(text: Array("# nothing\n\n".utf8)))" == "PINContext()")
    }

    @Test(arguments: [
        ("mother: Ada\n", PINPolicyError.invalidContextLine(line: 1)),
        ("# c\nbirth-date 1985-03-14\n", .invalidContextLine(line: 2)),
        ("phone: 5550104417\nphone: 5550104418\n", .invalidContextLine(line: 2)),
        ("previous-pin: 1234\n", .invalidContextLine(line: 1)),
        ("ssn-last-four: 62x1\n", .invalidSSNLastFour),
        ("birth-date: 1985-02-30\n", .invalidBirthDate),
        ("phone: call me\n", .invalidPhoneNumber),
    ])
    func refusesWhatItDoesNotKnowWithoutEchoingIt(text: String, error: PINPolicyError) {
        #expect(throws: error) { try PINContext(text: Array(text.utf8)) }
        #expect(!"\(error)".contains("Ada") && !"\(error)".contains("62x1"))
    }

    @Test func refusesATextLongerThanTheBound() {
        let text = [UInt8](repeating: UInt8(ascii: "\n"), count: PINContext.maximumTextLength + 1)
        #expect(throws: PINPolicyError.invalidContextLine(line: 0)) { try PINContext(text: text) }
    }
}
