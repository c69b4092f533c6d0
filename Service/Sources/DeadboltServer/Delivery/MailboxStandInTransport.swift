import DeadboltSignIn
import Foundation

/// The development mailbox's writer until the `DeadboltTransports` target's lands: each message becomes one `.eml`
/// file (RFC 5322 headers, plain-text UTF-8 body) under the data folder's `mailbox/`, created with mode 0600; text
/// messages are written the same way, addressed to the phone number. Development mode only: these files hold codes.
struct MailboxStandInTransport: MessageTransport {
    let folder: String

    init(folder: String) throws(ConfigurationError) {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .dataFolder("cannot create the development mailbox \(folder)")
        }
        self.folder = folder
    }

    func send(_ message: OutgoingMessage) async throws {
        let date = Date()
        let stamp = Int64(date.timeIntervalSince1970 * 1000)
        let subject = message.channel == .sms ? "Text message" : message.rendered.subject
        let body = message.channel == .sms ? message.rendered.shortText : message.rendered.body
        let text = """
            From: Deadbolt <no-reply@deadbolt.invalid>\r
            To: \(message.destination)\r
            Subject: \(subject.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " "))\r
            Date: \(date.formatted(.iso8601))\r
            Message-ID: <\(message.id)@deadbolt.invalid>\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \(body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n"))\r

            """
        let path = "\(folder)/\(stamp)-\(message.id).eml"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw MessageDeliveryError.temporary("cannot write to the development mailbox")
        }
    }
}
