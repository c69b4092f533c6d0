extension PINContext {
    /// The longest text form read by ``init(text:)``: room for every field with comments, and a bound.
    public static let maximumTextLength = 1024

    /// A context from its text form, for personal data that should not travel on a command line (where `ps`,
    /// `/proc` and shell history show it): one `name: value` a line, with the names `birth-date` (`YYYY-MM-DD`),
    /// `ssn-last-four` and `phone`, each at most once. Blank lines and lines starting with `#` are skipped; spaces
    /// and tabs around the name and the value and a `\r` before the line end are ignored. A previous PIN is a
    /// secret and has no text form.
    /// - Throws: ``PINPolicyError/invalidContextLine(line:)`` for a line that is not one of these or a name given
    ///   twice, or the errors of ``init(birthDate:ssnLastFour:phoneNumber:previousPIN:)`` for a bad value.
    public init(text: some Collection<UInt8>) throws(PINPolicyError) {
        guard text.count <= Self.maximumTextLength else { throw .invalidContextLine(line: 0) }
        var values: [String: String] = [:]
        var number = 0
        var lineStart = text.startIndex
        while lineStart != text.endIndex {
            number += 1
            let lineEnd = text[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? text.endIndex
            let line = Self.trimmed(text[lineStart..<lineEnd])
            lineStart = lineEnd == text.endIndex ? lineEnd : text.index(after: lineEnd)
            guard let first = line.first, first != UInt8(ascii: "#") else { continue }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .invalidContextLine(line: number) }
            let name = String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self)
            let value = String(decoding: Self.trimmed(line[line.index(after: colon)...]), as: UTF8.self)
            guard Self.textNames.contains(name), values[name] == nil else { throw .invalidContextLine(line: number) }
            values[name] = value
        }
        do {
            try self.init(
                birthDate: values["birth-date"].map { try BirthDate(iso8601: $0) }, ssnLastFour: values["ssn-last-four"],
                phoneNumber: values["phone"])
        } catch let error as PINPolicyError {
            throw error
        } catch {
            throw .invalidContextLine(line: 0)  // unreachable: the initialiser throws PINPolicyError only
        }
    }

    /// The names ``init(text:)`` reads.
    static let textNames: Set<String> = ["birth-date", "ssn-last-four", "phone"]

    private static func trimmed<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
        func isBlank(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
        }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }) else { return bytes[bytes.endIndex...] }
        var end = first
        var index = first
        while index != bytes.endIndex {
            let next = bytes.index(after: index)
            if !isBlank(bytes[index]) { end = next }
            index = next
        }
        return bytes[first..<end]
    }
}
