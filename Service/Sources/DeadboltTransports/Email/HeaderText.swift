import Deadbolt

/// Header values as RFC 5322 and RFC 2047 write them: checked for control characters, quoted or encoded, and folded
/// so that no line passes 78 characters where a break is possible (RFC 5322 §2.1.1).
enum HeaderText {
    /// Refuses a value a header could not carry as one field: any C0 control character (CR and LF are how a header
    /// injection starts; TAB is refused too, a one-line value has no use for it), DEL, or more than `maximumLength`
    /// UTF-8 bytes.
    static func check(_ value: String, field: String, maximumLength: Int) throws(EmailMessageError) {
        guard value.utf8.count <= maximumLength else { throw .tooLong(field: field, limit: maximumLength) }
        for scalar in value.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7f
            || (0x80..<0xa0).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
        {
            throw .forbiddenCharacter(field: field)
        }
    }

    /// Whether `value` is printable ASCII (and so needs no RFC 2047 encoding).
    static func isPrintableASCII(_ value: String) -> Bool {
        value.utf8.allSatisfy { (0x20..<0x7f).contains($0) }
    }

    /// An unstructured value (a subject): as it is when printable ASCII, else RFC 2047 encoded-words. Returned as the
    /// words to fold.
    static func unstructuredWords(_ value: String) -> [String] {
        if isPrintableASCII(value) {
            return value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        }
        return encodedWords(value)
    }

    /// A display name as a `phrase` (RFC 5322 §3.2.5): atoms as they are, other printable ASCII as a quoted string,
    /// anything else as encoded-words (RFC 2047 §5(3) allows them in a phrase).
    static func phraseWords(_ value: String) -> [String] {
        if isPrintableASCII(value) {
            let atoms = value.split(separator: " ")
            if atoms.allSatisfy({ $0.utf8.allSatisfy(MailAddress.isAtomCharacter) }) {
                return atoms.map(String.init)
            }
            var quoted = "\""
            for character in value {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            quoted.append("\"")
            return [quoted]
        }
        return encodedWords(value)
    }

    /// RFC 2047 "B" encoded-words, every one holding whole UTF-8 characters (§5: a multi-byte character is never
    /// split across words). At most 64 characters each (§2 allows 75), so that even the first word fits on the
    /// `Subject:` line within 78 characters.
    static func encodedWords(_ value: String) -> [String] {
        let prefix = "=?UTF-8?B?"
        let suffix = "?="
        // 39 bytes make 52 base64 characters, 64 with the frame.
        let maximumBytes = 39
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > maximumBytes, !chunk.isEmpty {
                words.append(prefix + Base64Dialect.standard.encode(chunk) + suffix)
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty { words.append(prefix + Base64Dialect.standard.encode(chunk) + suffix) }
        return words
    }

    /// `Name: value` from words, folded with CRLF and a space before a word that would pass 78 characters.
    static func field(_ name: String, words: [String]) -> String {
        var line = name + ":"
        var lineLength = line.utf8.count
        for word in words {
            let wordLength = word.utf8.count
            if lineLength + 1 + wordLength > 78, lineLength > name.utf8.count + 1 {
                line += "\r\n"
                lineLength = 0
            }
            line += " " + word
            lineLength += 1 + wordLength
        }
        return line + "\r\n"
    }
}
