import Foundation
import Testing

@testable import DeadboltTransports

@Suite("DevelopmentMailbox")
struct DevelopmentMailboxTests {
    func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "deadbolt-mailbox-test-" + UUID().uuidString
        return path
    }

    func message(_ subject: String, body: String = "Your code is 123456") throws -> [UInt8] {
        try EmailMessage(
            from: NamedMailAddress(MailAddress("no-reply@deadbolt.example")),
            to: [NamedMailAddress(MailAddress("person@example.com"))], subject: subject, body: body
        ).rendered(unixSeconds: 1_700_000_000)
    }

    @Test("Stores each message as a 0600 .eml file in a 0700 folder and reads it back")
    func storesAndReads() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mailbox = try DevelopmentMailbox(folder: folder)
        let name = try mailbox.store(try message("Confirm your email", body: "Grüße\nCode: 123456"),
                                     millisecondsSinceEpoch: 1_700_000_000_123)
        #expect(name.hasPrefix("0001700000000123-") && name.hasSuffix(".eml"))
        var status = stat()
        #expect(stat(folder + "/" + name, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(stat(folder, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700)
        let email = try mailbox.message(named: name)
        #expect(email.subject == "Confirm your email")
        #expect(email.recipients == ["person@example.com"])
        #expect(email.sender == "no-reply@deadbolt.example")
        #expect(email.body == "Grüße\nCode: 123456")
        // Nothing but the message is left in the folder (the temporary file was renamed, not copied).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [name])
    }

    @Test("Lists newest first, bounded, and skips files it did not write")
    func listsNewestFirst() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mailbox = try DevelopmentMailbox(folder: folder)
        for (index, subject) in ["first", "second", "third"].enumerated() {
            _ = try mailbox.store(try message(subject), millisecondsSinceEpoch: Int64(1000 + index))
        }
        _ = FileManager.default.createFile(atPath: folder + "/notes.txt", contents: Data("x".utf8))
        _ = FileManager.default.createFile(atPath: folder + "/.0000000000009999-0000000000000000.eml.tmp",
                                       contents: Data("half".utf8))
        #expect(try mailbox.messages().map { $0.email.subject } == ["third", "second", "first"])
        #expect(try mailbox.messages(limit: 2).map { $0.email.subject } == ["third", "second"])
    }

    @Test("A name that is not a mailbox file name is refused before any file is opened (no path traversal)")
    func refusesOtherNames() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let mailbox = try DevelopmentMailbox(folder: folder)
        for name in ["../../etc/passwd", "/etc/passwd", "0000000000001000-00000000000000zz.eml",
                     "0000000000001000-0000000000000000.eml/..", "", "a.eml"] {
            #expect(throws: MailboxError.invalidName, "\(name)") { try mailbox.message(named: name) }
        }
        #expect(throws: MailboxError.notFound) { try mailbox.message(named: "0000000000001000-0000000000000000.eml") }
    }

    @Test("A folder that cannot be made is a typed error at start")
    func unusableFolder() throws {
        let file = NSTemporaryDirectory() + "deadbolt-mailbox-file-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: TransportConfigurationError.mailboxFolderUnusable(errno: ENOTDIR)) {
            try DevelopmentMailbox(folder: file)
        }
        #expect(throws: TransportConfigurationError.self) { try DevelopmentMailbox(folder: "/nonexistent/deeper/box") }
        #expect(throws: TransportConfigurationError.self) { try DevelopmentMailbox(folder: "") }
    }
}
