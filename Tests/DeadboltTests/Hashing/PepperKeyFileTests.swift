import Foundation
import Testing
@testable import Deadbolt

/// Pepper key files: the `id:hex` text form, and the file checks ssh makes for private keys.
@Suite struct PepperKeyFileTests {
    let current = String(repeating: "ab", count: 32)
    let retired = String(repeating: "0c", count: 40)

    func secret(_ key: PepperKey) -> [UInt8] { key.secret.withUnsafeBytes { Array($0) } }

    @Test func parsesCurrentAndRetiredKeysSkippingCommentsAndBlanks() throws {
        let text = "# rotated 2026-11\n\n  k2 : \(current)\r\n\t# old\nk1:\(retired.uppercased())"
        let keyring = try PepperKeyring(keyFile: Array(text.utf8))
        #expect(keyring.current.id == "k2" && secret(keyring.current) == [UInt8](repeating: 0xab, count: 32))
        #expect(keyring.retired.map(\.id) == ["k1"])
        #expect(keyring.retired.map(secret) == [[UInt8](repeating: 0x0c, count: 40)])
    }

    @Test(arguments: [
        ("k1\(String(repeating: "ab", count: 32))\n", PepperKeyFileError.malformedLine(number: 1)),
        ("# x\nk1:\(String(repeating: "ab", count: 31))a\n", .malformedLine(number: 2)),
        ("k1:\(String(repeating: "zz", count: 32))\n", .malformedLine(number: 1)),
        ("k1:\(String(repeating: "ab", count: 31))\n", .invalidKey(line: 1, reason: "the secret must be 32 to 1024 bytes, not 31")),
        ("k-1:\(String(repeating: "ab", count: 32))\n", .invalidKey(line: 1, reason: "the id must be 1 to 16 ASCII letters or digits")),
        ("k1:\(String(repeating: "ab", count: 32))\nk1:\(String(repeating: "cd", count: 32))\n", .invalidKey(line: 2, reason: "the id k1 is used by an earlier line")),
        ("# only a comment\n\n", .noKey),
        ("", .noKey),
    ])
    func refusesMalformedFilesNamingTheLineNeverTheBytes(text: String, error: PepperKeyFileError) throws {
        #expect(throws: error) { try PepperKeyring(keyFile: Array(text.utf8)) }
        #expect(!"\(error)".contains("abab") && !"\(error)".contains("zzzz"))
    }

    @Test func refusesAFileLargerThanTheBound() throws {
        let text = [UInt8](repeating: UInt8(ascii: "#"), count: PepperKeyring.maximumKeyFileSize + 1)
        #expect(throws: PepperKeyFileError.tooLarge(maximum: PepperKeyring.maximumKeyFileSize)) {
            try PepperKeyring(keyFile: text)
        }
    }

    func file(mode: Int) throws -> String {
        let path = NSTemporaryDirectory() + "deadbolt-pepper-\(UUID().uuidString)"
        try "k1:\(current)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o610, 0o601, 0o666])
    func refusesAFileGroupOrOthersMayUse(mode: Int) throws {
        let path = try file(mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: PepperKeyFileError.permissionsTooOpen(path: path, mode: UInt32(mode))) {
            try PepperKeyring(contentsOfKeyFile: path)
        }
        #expect("\(PepperKeyFileError.permissionsTooOpen(path: path, mode: UInt32(mode)))".hasSuffix("run: chmod 600 \(path)"))
    }

    @Test(arguments: [0o600, 0o400])
    func readsAFileOnlyItsOwnerMayUse(mode: Int) throws {
        let path = try file(mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try PepperKeyring(contentsOfKeyFile: path).current.id == "k1")
    }

    @Test func refusesAFileLargerThanTheBoundWhenReading() throws {
        let path = try file(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let padding = String(repeating: "#", count: PepperKeyring.maximumKeyFileSize) + "\n"
        try ("k1:\(current)\n" + padding).write(toFile: path, atomically: false, encoding: .utf8)
        #expect(throws: PepperKeyFileError.tooLarge(maximum: PepperKeyring.maximumKeyFileSize)) {
            try PepperKeyring(contentsOfKeyFile: path)
        }
    }

    @Test func refusesAPathItCannotRead() {
        #expect(throws: PepperKeyFileError.unreadable(path: "/nonexistent/pepper")) {
            try PepperKeyring(contentsOfKeyFile: "/nonexistent/pepper")
        }
    }
}
