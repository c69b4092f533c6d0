import Deadbolt

/// The quoted-printable content transfer encoding (RFC 2045 §6.7), for UTF-8 text bodies: readable where the text is
/// ASCII, 7-bit safe everywhere, lines of at most 76 characters.
enum QuotedPrintable {
    /// The longest encoded line, not counting its CRLF (RFC 2045 §6.7 rule 5).
    static let maximumLineLength = 76

    /// Encodes `text`, whose line breaks (CRLF, LF or CR) become CRLF hard breaks. Besides what the RFC requires, a
    /// `.` that starts a line is encoded (`=2E`), so no relay's SMTP dot handling can touch the body (RFC 5321
    /// §4.5.2), and so is a space or tab that ends one (rule 3).
    static func encode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        var lines: [ArraySlice<UInt8>] = []
        let bytes = Array(text.utf8)
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0d || bytes[index] == 0x0a {
                lines.append(bytes[start..<index])
                if bytes[index] == 0x0d, index + 1 < bytes.count, bytes[index + 1] == 0x0a { index += 1 }
                start = index + 1
            }
            index += 1
        }
        lines.append(bytes[start..<bytes.count])
        for (number, line) in lines.enumerated() {
            if number > 0 { output.append(contentsOf: [0x0d, 0x0a]) }
            encodeLine(line, into: &output)
        }
        return output
    }

    private static func encodeLine(_ line: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var lineLength = 0
        for index in line.indices {
            let byte = line[index]
            let isLast = index == line.index(before: line.endIndex)
            var literal = isLiteral(byte, atLineStart: lineLength == 0, endsLine: isLast)
            // A soft break ("=" CRLF) when this token would pass the limit with the "=" a soft break needs; the
            // last token of a line needs no room for one.
            if lineLength + (literal ? 1 : 3) > maximumLineLength - (isLast ? 0 : 1) {
                output.append(contentsOf: [UInt8(ascii: "="), 0x0d, 0x0a])
                lineLength = 0
                literal = isLiteral(byte, atLineStart: true, endsLine: isLast)
            }
            if literal {
                output.append(byte)
                lineLength += 1
            } else {
                output.append(UInt8(ascii: "="))
                output.append(contentsOf: Hex.encode([byte]).uppercased().utf8)
                lineLength += 3
            }
        }
    }

    /// Whether `byte` may stand as itself: printable ASCII but `=`, a `.` not at the start of an encoded line, a
    /// space or tab not at the end of a text line.
    private static func isLiteral(_ byte: UInt8, atLineStart: Bool, endsLine: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "="): false
        case UInt8(ascii: "."): !atLineStart
        case 0x20, 0x09: !endsLine
        case 0x21...0x7e: true
        default: false
        }
    }

    /// Decodes quoted-printable `bytes`: soft breaks removed, `=XX` turned into bytes. Answers nil for an `=` that
    /// is followed by neither two hex digits nor a line break.
    static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            let rest = bytes[(index + 1)...]
            if rest.starts(with: [0x0d, 0x0a]) {
                index += 3
            } else if rest.starts(with: [0x0a]) {
                index += 2
            } else if rest.count >= 2, let value = Hex.decode(String(decoding: rest.prefix(2), as: UTF8.self)) {
                output.append(contentsOf: value)
                index += 3
            } else {
                return nil
            }
        }
        return output
    }
}
