import Deadbolt

/// A plain-text email, checked when made and written as an RFC 5322 message with a MIME `text/plain; charset=UTF-8`
/// body in quoted-printable (RFC 2045 §6.7).
///
/// Every header value is checked for line breaks and other control characters when the message is made
/// (``EmailMessageError/forbiddenCharacter(field:)``), so no caller-supplied text can add a header or end the
/// header block. The body may hold any Unicode text; its lines end in CRLF once written.
public struct EmailMessage: Sendable {
    /// The longest subject accepted, in UTF-8 bytes.
    public static let maximumSubjectLength = 512
    /// The longest body accepted, in UTF-8 bytes.
    public static let maximumBodyLength = 64 * 1024
    /// The most recipients one message may have.
    public static let maximumRecipients = 16
    /// The longest Message-ID left part accepted, in bytes.
    public static let maximumIdentifierLength = 128

    /// The author and sender.
    public let from: NamedMailAddress
    /// The recipients (1 to ``maximumRecipients``), who are also the envelope's recipients.
    public let to: [NamedMailAddress]
    /// The subject line.
    public let subject: String
    /// The text, any Unicode; line breaks in any convention.
    public let body: String
    /// The left part of the Message-ID (RFC 5322 §3.6.4), before `@` and the sender's domain. Stable for one outbox
    /// message, so a retried delivery carries the same Message-ID and a receiver can tell it is one message.
    public let identifier: String

    /// Checks every part.
    /// - Parameter identifier: letters, digits, `-` and `_` in parts joined by single dots (1 to
    ///   ``maximumIdentifierLength`` bytes), unique per message; `nil` for 128 random bits in hex.
    /// - Throws: ``EmailMessageError`` naming the field that is wrong.
    public init(
        from: NamedMailAddress, to: [NamedMailAddress], subject: String, body: String, identifier: String? = nil
    ) throws(EmailMessageError)
    {
        guard (1...Self.maximumRecipients).contains(to.count) else {
            throw .recipientCount(limit: Self.maximumRecipients)
        }
        try HeaderText.check(subject, field: "subject", maximumLength: Self.maximumSubjectLength)
        guard body.utf8.count <= Self.maximumBodyLength else {
            throw .tooLong(field: "body", limit: Self.maximumBodyLength)
        }
        if let identifier {
            try HeaderText.check(identifier, field: "message identifier", maximumLength: Self.maximumIdentifierLength)
            let bytes = Array(identifier.utf8)
            guard MailAddress.isDotAtom(bytes[...], maximumLength: Self.maximumIdentifierLength),
                bytes.allSatisfy(Self.isIdentifierCharacter)
            else { throw .malformedIdentifier }
            self.identifier = identifier
        } else {
            do {
                self.identifier = Hex.encode(try SecureRandom.bytes(count: 16))
            } catch {
                // Without randomness a unique id cannot be made; a fixed one would merge messages at receivers.
                throw .randomUnavailable
            }
        }
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// The message as it goes over SMTP or into an `.eml` file: headers, a blank line, the encoded body, CRLF line
    /// endings throughout.
    /// - Parameter unixSeconds: the `Date` header's time, from the caller's wall clock.
    public func rendered(unixSeconds: Int64) -> [UInt8] {
        var header = ""
        header += HeaderText.field("Date", words: [EmailDate.format(unixSeconds: unixSeconds)])
        header += HeaderText.field("From", words: Self.mailboxWords([from]))
        header += HeaderText.field("To", words: Self.mailboxWords(to))
        header += HeaderText.field("Subject", words: HeaderText.unstructuredWords(subject))
        header += HeaderText.field("Message-ID", words: ["<\(identifier)@\(from.address.domain)>"])
        // RFC 3834 §5: a notice written by software, so vacation responders do not answer it.
        header += HeaderText.field("Auto-Submitted", words: ["auto-generated"])
        header += HeaderText.field("MIME-Version", words: ["1.0"])
        header += HeaderText.field("Content-Type", words: ["text/plain;", "charset=UTF-8"])
        header += HeaderText.field("Content-Transfer-Encoding", words: ["quoted-printable"])
        var bytes = Array(header.utf8)
        bytes.append(contentsOf: [0x0d, 0x0a])
        bytes.append(contentsOf: QuotedPrintable.encode(body))
        bytes.append(contentsOf: [0x0d, 0x0a])
        return bytes
    }

    /// Mailboxes as a comma-separated address list, each `phrase <addr>` or a bare address.
    private static func mailboxWords(_ mailboxes: [NamedMailAddress]) -> [String] {
        var words: [String] = []
        for (index, mailbox) in mailboxes.enumerated() {
            let last = index == mailboxes.count - 1
            let address = "<\(mailbox.address.text)>" + (last ? "" : ",")
            if let name = mailbox.displayName {
                words.append(contentsOf: HeaderText.phraseWords(name))
                words.append(address)
            } else {
                words.append(last ? mailbox.address.text : mailbox.address.text + ",")
            }
        }
        return words
    }

    private static func isIdentifierCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
