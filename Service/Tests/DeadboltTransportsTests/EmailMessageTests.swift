import Testing

@testable import DeadboltTransports

@Suite("EmailMessage")
struct EmailMessageTests {
    let from: NamedMailAddress
    let to: [NamedMailAddress]

    init() throws {
        from = NamedMailAddress(try MailAddress("no-reply@deadbolt.example"))
        to = [NamedMailAddress(try MailAddress("person@example.com"))]
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("A line break or another control character in any header value is a typed error (no header injection)")
    func headerInjectionRefused() throws {
        for subject in ["Hello\r\nBcc: victim@example.com", "Hello\nBcc: x@example.com", "Hello\rX", "tab\there",
                        "nul\u{0}", "del\u{7f}", "next-line\u{85}", "line-separator\u{2028}"] {
            #expect(throws: EmailMessageError.forbiddenCharacter(field: "subject")) {
                try EmailMessage(from: from, to: to, subject: subject, body: "body")
            }
        }
        #expect(throws: EmailMessageError.forbiddenCharacter(field: "display name")) {
            try NamedMailAddress(displayName: "Deadbolt\r\nBcc: x@example.com", address: MailAddress("a@example.com"))
        }
        #expect(throws: EmailMessageError.self) {
            try MailAddress("person@example.com\r\nRCPT TO:<x@example.com>")
        }
        #expect(throws: EmailMessageError.forbiddenCharacter(field: "message identifier")) {
            try EmailMessage(from: from, to: to, subject: "s", body: "b", identifier: "a\r\nb")
        }
    }

    @Test("Addresses: dot-atom local parts and host-name domains in ASCII, within RFC 5321's lengths")
    func addresses() throws {
        for good in ["a@b", "first.last+tag@example.com", "x_y-z@sub.example.co.uk", "o'neil@example.ie"] {
            #expect(try MailAddress(good).text == good)
        }
        let tooLongLocal = String(repeating: "a", count: 65) + "@example.com"
        let tooLong = "a@" + String(repeating: "b", count: 60) + "." + String(repeating: "c", count: 60) + "."
            + String(repeating: "d", count: 60) + "." + String(repeating: "e", count: 60) + "."
            + String(repeating: "f", count: 60) + ".com"
        for bad in ["", "plain", "@example.com", "a@", "a..b@example.com", ".a@example.com", "a.@example.com",
                    "a b@example.com", "<a@example.com>", "a@-example.com", "a@example-.com", "a@exa_mple.com",
                    "a@example..com", "jöhn@example.com", "a@exämple.com", "\"quoted\"@example.com", tooLongLocal,
                    tooLong] {
            #expect(throws: EmailMessageError.self, "\(bad)") { try MailAddress(bad) }
        }
    }

    @Test("Bounds: subject, body, recipients")
    func bounds() throws {
        #expect(throws: EmailMessageError.tooLong(field: "subject", limit: EmailMessage.maximumSubjectLength)) {
            try EmailMessage(from: from, to: to, subject: String(repeating: "s", count: 513), body: "")
        }
        #expect(throws: EmailMessageError.tooLong(field: "body", limit: EmailMessage.maximumBodyLength)) {
            try EmailMessage(from: from, to: to, subject: "s", body: String(repeating: "b", count: 64 * 1024 + 1))
        }
        #expect(throws: EmailMessageError.recipientCount(limit: EmailMessage.maximumRecipients)) {
            try EmailMessage(from: from, to: [], subject: "s", body: "b")
        }
        #expect(throws: EmailMessageError.recipientCount(limit: EmailMessage.maximumRecipients)) {
            try EmailMessage(from: from, to: Array(repeating: to[0], count: 17), subject: "s", body: "b")
        }
    }

    @Test("Date header: RFC 5322 §3.3 form in UTC (known answers)")
    func dates() {
        #expect(EmailDate.format(unixSeconds: 0) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(EmailDate.format(unixSeconds: 1_234_567_890) == "Fri, 13 Feb 2009 23:31:30 +0000")
        #expect(EmailDate.format(unixSeconds: 951_782_400) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    @Test("Rendered headers: Date, From, To, Subject, Message-ID, MIME text/plain UTF-8 quoted-printable")
    func renderedHeaders() throws {
        let sender = try NamedMailAddress(displayName: "Deadbolt", address: MailAddress("no-reply@deadbolt.example"))
        let message = try EmailMessage(from: sender, to: to, subject: "Your sign-in code", body: "Code: 123456",
                                       identifier: "outbox-42")
        let rendered = text(message.rendered(unixSeconds: 1_234_567_890))
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(lines.prefix(9) == [
            "Date: Fri, 13 Feb 2009 23:31:30 +0000",
            "From: Deadbolt <no-reply@deadbolt.example>",
            "To: person@example.com",
            "Subject: Your sign-in code",
            "Message-ID: <outbox-42@deadbolt.example>",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: quoted-printable",
        ])
        #expect(lines[9] == "")
        #expect(lines[10] == "Code: 123456")
        // Every line ends in CRLF: no bare LF anywhere.
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test("Display names: atoms as they are, specials quoted, non-ASCII as RFC 2047 encoded-words")
    func displayNames() throws {
        let address = try MailAddress("a@example.com")
        func fromLine(_ name: String) throws -> String {
            let message = try EmailMessage(from: NamedMailAddress(displayName: name, address: address), to: to,
                                           subject: "s", body: "b", identifier: "x")
            let rendered = text(message.rendered(unixSeconds: 0))
            return rendered.components(separatedBy: "\r\n")[1]
        }
        #expect(try fromLine("Deadbolt Sign In") == "From: Deadbolt Sign In <a@example.com>")
        #expect(try fromLine("Smith, J. \"Jo\"") == "From: \"Smith, J. \\\"Jo\\\"\" <a@example.com>")
        #expect(try fromLine("Zoë") == "From: =?UTF-8?B?Wm/Dqw==?= <a@example.com>")
    }

    @Test("Long and non-ASCII subjects fold into lines of at most 78 characters and decode back exactly")
    func subjectsFoldAndDecode() throws {
        let subjects = [
            String(repeating: "word ", count: 40) + "end",
            "Ünïcödé sûbject with émoji 🔐 and a long tail of accented letters: àéîõü àéîõü àéîõü àéîõü àéîõü",
            "日本語の件名はエンコードされた単語に分割され、どの文字も二つの単語に分かれない",
        ]
        for subject in subjects {
            let message = try EmailMessage(from: from, to: to, subject: subject, body: "b", identifier: "x")
            let raw = message.rendered(unixSeconds: 0)
            let header = text(raw).components(separatedBy: "\r\n\r\n")[0]
            for line in header.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
            #expect(try ReceivedEmail(parsing: raw).subject == subject)
        }
    }

    @Test("Quoted-printable: lines of 76 at most, =, trailing spaces and a leading dot encoded, exact round trip")
    func quotedPrintable() throws {
        let body = [
            ".a line starting with a dot", ".", "trailing spaces   ", "tab at end\t", "equals = sign",
            String(repeating: "long line without breaks ", count: 12), "Grüße, 🔐 ünïcödé", "", "last",
        ].joined(separator: "\n")
        let encoded = QuotedPrintable.encode(body)
        let lines = text(encoded).components(separatedBy: "\r\n")
        for line in lines {
            #expect(line.utf8.count <= 76, "\(line)")
            #expect(!line.hasPrefix("."), "\(line)")
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"), "\(line)")
            #expect(line.utf8.allSatisfy { $0 < 0x80 })
        }
        #expect(lines[0] == "=2Ea line starting with a dot")
        #expect(lines[2] == "trailing spaces  =20")
        #expect(lines[4] == "equals =3D sign")
        let decoded = try #require(QuotedPrintable.decode(encoded[...]))
        #expect(text(decoded) == body.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test("Message-IDs: a given identifier is kept (stable across retries); none given is 128 random bits")
    func messageIdentifiers() throws {
        let first = try EmailMessage(from: from, to: to, subject: "s", body: "b")
        let second = try EmailMessage(from: from, to: to, subject: "s", body: "b")
        #expect(first.identifier.count == 32)
        #expect(first.identifier != second.identifier)
        for bad in ["", ".x", "x.", "a..b", "a b", "a@b", String(repeating: "a", count: 129)] {
            #expect(throws: EmailMessageError.self, "\(bad)") {
                try EmailMessage(from: from, to: to, subject: "s", body: "b", identifier: bad)
            }
        }
    }
}
