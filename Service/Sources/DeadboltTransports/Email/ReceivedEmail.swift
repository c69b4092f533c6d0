import Deadbolt

/// A plain-text email read back from a file: the development mailbox's `.eml` files, or what a test SMTP server
/// wrote into a Maildir. Reads what ``EmailMessage`` writes (and what a relay adds in front of it): unfolded
/// headers with RFC 2047 encoded-words decoded, and a single-part body in quoted-printable, base64, 7bit or 8bit.
public struct ReceivedEmail: Sendable, Equatable {
    /// The largest message read, in bytes.
    public static let maximumSize = 1024 * 1024
    /// The most header fields read.
    public static let maximumHeaderFields = 256

    /// One header field, its name as written and its value unfolded and decoded.
    public struct HeaderField: Sendable, Equatable {
        /// The field name (`Subject`).
        public let name: String
        /// The value, unfolded, encoded-words decoded, surrounding whitespace trimmed.
        public let value: String
    }

    /// Every header field in order.
    public let headerFields: [HeaderField]
    /// The body decoded to text, with `\n` line breaks.
    public let body: String

    /// Parses `bytes`.
    /// - Throws: ``MailboxError/unreadableMessage(_:)`` for a message without a header block, past a bound, or
    ///   with a body encoding it cannot decode.
    public init(parsing bytes: [UInt8]) throws(MailboxError) {
        guard bytes.count <= Self.maximumSize else { throw .unreadableMessage("larger than \(Self.maximumSize) bytes") }
        let lines = Self.lines(bytes)
        var fields: [HeaderField] = []
        var index = 0
        var current: (name: String, value: [UInt8])?
        func flush() {
            if let field = current {
                let value = Self.decodeWords(String(decoding: field.value, as: UTF8.self))
                fields.append(HeaderField(name: field.name, value: value))
            }
            current = nil
        }
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            index += 1
            if line.first == 0x20 || line.first == 0x09 {
                guard current != nil else { throw .unreadableMessage("a continuation line before any header") }
                current?.value.append(contentsOf: line)
                continue
            }
            flush()
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                throw .unreadableMessage("a header line without a name")
            }
            current = (String(decoding: line[..<colon], as: UTF8.self), Array(line[(colon + 1)...]))
            guard fields.count < Self.maximumHeaderFields else {
                throw .unreadableMessage("more than \(Self.maximumHeaderFields) header fields")
            }
        }
        flush()
        guard index < lines.count else { throw .unreadableMessage("no blank line after the headers") }
        headerFields = fields
        let bodyLines = lines[(index + 1)...]
        let encoding = fields.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased()
        var raw: [UInt8] = []
        for (number, line) in bodyLines.enumerated() {
            if number > 0 { raw.append(contentsOf: [0x0d, 0x0a]) }
            raw.append(contentsOf: line)
        }
        let decoded: [UInt8]
        switch encoding ?? "7bit" {
        case "quoted-printable":
            guard let bytes = QuotedPrintable.decode(raw[...]) else { throw .unreadableMessage("bad quoted-printable") }
            decoded = bytes
        case "base64":
            let text = String(decoding: raw.filter { $0 != 0x0d && $0 != 0x0a }, as: UTF8.self)
            guard let bytes = Base64Dialect.standard.decode(text) else { throw .unreadableMessage("bad base64") }
            decoded = bytes
        case "7bit", "8bit", "binary":
            decoded = raw
        default:
            throw .unreadableMessage("an unknown Content-Transfer-Encoding")
        }
        var text = String(decoding: decoded, as: UTF8.self).replacingCRLF()
        while text.hasSuffix("\n") { text.removeLast() }
        body = text
    }

    /// The first field named `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headerFields.first { $0.name.lowercased() == wanted }?.value
    }

    /// The `Subject`, decoded.
    public var subject: String? { header("Subject") }
    /// The bare addresses of the `To` field.
    public var recipients: [String] { Self.addresses(in: header("To") ?? "") }
    /// The bare address of the `From` field.
    public var sender: String? { Self.addresses(in: header("From") ?? "").first }

    /// The addresses in an address list: what is inside angle brackets, or the item itself when it has none.
    static func addresses(in list: String) -> [String] {
        list.split(separator: ",").compactMap { item in
            let item = String(item).trimmingWhitespace()
            if let open = item.lastIndex(of: "<"), let close = item.lastIndex(of: ">"), open < close {
                return String(item[item.index(after: open)..<close])
            }
            return item.isEmpty ? nil : String(item)
        }
    }

    /// Lines without their CRLF or LF.
    private static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0a {
            let end = index > start && bytes[index - 1] == 0x0d ? index - 1 : index
            lines.append(bytes[start..<end])
            start = index + 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }

    /// Decodes RFC 2047 encoded-words in UTF-8 or US-ASCII ("B" and "Q"), dropping the whitespace between two
    /// adjacent ones (§6.2); trims the value. A word it cannot decode stays as it is.
    static func decodeWords(_ value: String) -> String {
        var output = ""
        var pendingSpace = ""
        var previousWasEncoded = false
        let spaced = String(value.map { $0 == "\t" ? " " : $0 })
        for (number, token) in spaced.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if number > 0 { pendingSpace += " " }
            if token.isEmpty { continue }
            if let decoded = decodeWord(String(token)) {
                if !previousWasEncoded { output += pendingSpace }
                output += decoded
                previousWasEncoded = true
            } else {
                output += pendingSpace + token
                previousWasEncoded = false
            }
            pendingSpace = ""
        }
        return output.trimmingWhitespace()
    }

    private static func decodeWord(_ token: String) -> String? {
        guard token.hasPrefix("=?"), token.hasSuffix("?="), token.count >= 8 else { return nil }
        let parts = token.dropFirst(2).dropLast(2).split(separator: "?", omittingEmptySubsequences: false)
        guard parts.count == 3, ["utf-8", "us-ascii"].contains(parts[0].lowercased()) else { return nil }
        let text = parts[2]
        switch parts[1].lowercased() {
        case "b":
            return Base64Dialect.standard.decode(text).map { String(decoding: $0, as: UTF8.self) }
        case "q":
            // RFC 2047 §4.2: "_" stands for a space; otherwise quoted-printable.
            let bytes = Array(text.utf8).map { $0 == UInt8(ascii: "_") ? 0x20 : $0 }
            return QuotedPrintable.decode(bytes[...]).map { String(decoding: $0, as: UTF8.self) }
        default:
            return nil
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(self[first...last])
    }

    fileprivate func replacingCRLF() -> String {
        split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n")
    }
}
