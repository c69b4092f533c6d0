/// An email address as SMTP carries it in an envelope and RFC 5322 in a header: `local-part@domain`, ASCII only.
/// The wire form of the sign-in system's `EmailAddress`, which may hold non-ASCII text this transport cannot send.
///
/// The local part is a dot-atom (RFC 5322 §3.4.1, no quoted strings) of at most 64 bytes and the domain is
/// host-name labels of letters, digits and hyphens (RFC 5321 §4.1.2), at most 253 bytes; the whole is at most
/// 254 bytes (RFC 5321 §4.5.3.1, less the angle brackets). Anything else — a line break, an angle bracket, a space,
/// a non-ASCII character (SMTPUTF8, RFC 6531, is not used) — is refused, so an address can be put into a command
/// or a header as it is.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The longest address accepted, in bytes (RFC 5321 §4.5.3.1.3: a path of 256 octets with its brackets).
    public static let maximumLength = 254

    /// The address, `local-part@domain`.
    public let text: String

    /// Checks `text` and keeps it as it is.
    /// - Throws: ``EmailMessageError/invalidAddress(field:expected:)`` naming `field`.
    public init(_ text: String, field: String = "address") throws(EmailMessageError) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maximumLength,
            let at = bytes.lastIndex(of: UInt8(ascii: "@")),
            Self.isDotAtom(bytes[..<at], maximumLength: 64),
            Self.isHostName(bytes[(at + 1)...])
        else {
            throw .invalidAddress(
                field: field,
                expected: "local-part@domain in ASCII, at most \(Self.maximumLength) bytes (a dot-atom before the @, "
                    + "host-name labels after it)")
        }
        self.text = text
    }

    /// The part after the `@`.
    public var domain: Substring {
        text.lastIndex(of: "@").map { text[text.index(after: $0)...] } ?? ""
    }

    public var description: String { text }

    /// RFC 5322 §3.2.3 `atext`: letters, digits and `!#$%&'*+-/=?^_\`{|}~`.
    static func isAtomCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    /// A dot-atom-text (RFC 5322 §3.2.3): atoms joined by single dots.
    static func isDotAtom(_ bytes: ArraySlice<UInt8>, maximumLength: Int) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumLength, bytes.first != UInt8(ascii: "."),
            bytes.last != UInt8(ascii: ".")
        else { return false }
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previous == byte { return false }
            } else if !isAtomCharacter(byte) {
                return false
            }
            previous = byte
        }
        return true
    }

    /// Host-name labels (RFC 1123 §2.1): 1–63 letters, digits or hyphens, not starting or ending with a hyphen.
    static func isHostName(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return false }
            for byte in label {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    continue
                default:
                    return false
                }
            }
        }
        return true
    }
}

/// An address with an optional display name, as a `From` or `To` header shows it: `Deadbolt <no-reply@example.org>`.
public struct NamedMailAddress: Sendable, Hashable {
    /// The longest display name accepted, in UTF-8 bytes.
    public static let maximumDisplayNameLength = 128

    /// The name shown beside the address, if any.
    public let displayName: String?
    /// The address.
    public let address: MailAddress

    /// A mailbox with a display name. The name may be any Unicode text (encoded per RFC 2047 when not ASCII).
    /// - Throws: ``EmailMessageError/forbiddenCharacter(field:)`` for a control character (CR and LF included),
    ///   ``EmailMessageError/tooLong(field:limit:)`` past ``maximumDisplayNameLength`` bytes.
    public init(displayName: String?, address: MailAddress, field: String = "display name")
        throws(EmailMessageError)
    {
        if let displayName {
            try HeaderText.check(displayName, field: field, maximumLength: Self.maximumDisplayNameLength)
        }
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
        self.address = address
    }

    /// A mailbox that is an address alone.
    public init(_ address: MailAddress) {
        self.displayName = nil
        self.address = address
    }
}
