import Foundation

/// Reads the development mailbox (`.eml` files, RFC 5322, written by the mailbox transport) for `/dev/mailbox`:
/// the newest 50 messages, each at most 64 KiB, headers unfolded, the body shown as text.
struct MailboxReader: Sendable {
    /// The folder of `.eml` files.
    let folder: String

    static let maximumMessages = 50
    static let maximumMessageBytes = 65_536

    struct Message: Sendable {
        let subject: String
        let to: String
        let date: String
        let body: String
        let modified: Date
    }

    /// The newest messages first; an unreadable file is skipped.
    func messages() -> [Message] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [(name: String, modified: Date)] = []
        for name in names where name.hasSuffix(".eml") {
            let attributes = try? manager.attributesOfItem(atPath: folder + "/" + name)
            found.append((name, attributes?[.modificationDate] as? Date ?? .distantPast))
        }
        found.sort { ($0.modified, $0.name) > ($1.modified, $1.name) }
        return found.prefix(Self.maximumMessages).compactMap { entry in
            guard let handle = FileHandle(forReadingAtPath: folder + "/" + entry.name) else { return nil }
            defer { try? handle.close() }
            guard let data = try? handle.read(upToCount: Self.maximumMessageBytes) else { return nil }
            return Self.parse(String(decoding: data, as: UTF8.self), modified: entry.modified)
        }
    }

    static func parse(_ text: String, modified: Date) -> Message {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        let split = normalized.range(of: "\n\n")
        let head = split.map { String(normalized[..<$0.lowerBound]) } ?? normalized
        let body = split.map { String(normalized[$0.upperBound...]) } ?? ""
        var headers: [String: String] = [:]
        var lastName: String?
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.first == " " || line.first == "\t", let name = lastName {
                headers[name, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                lastName = name
            }
        }
        return Message(
            subject: headers["subject"] ?? "(no subject)", to: headers["to"] ?? "", date: headers["date"] ?? "",
            body: body, modified: modified)
    }
}
