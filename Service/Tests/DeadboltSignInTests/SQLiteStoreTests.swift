import DeadboltSignIn
import Foundation
import Testing

@testable import DeadboltSQLite

@Suite struct SQLiteStoreTests {
    @Test func aFileOpensInWALModeWithForeignKeysAndReopensMigrated() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deadbolt-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sign-in.sqlite").path
        let store = try SQLiteSignInStore(path: path)
        #expect(try await store.pragma("journal_mode") == "wal")
        #expect(try await store.pragma("foreign_keys") == "1")
        let account = AccountRecord(
            id: try AccountID.random(), email: try EmailAddress("kept@example.com"), state: .active, passwordHash: "$p", pinHash: nil,
            credentialVersion: 1, sealedPhone: nil, phoneLastFour: nil, devicesRevokedAt: nil,
            createdAt: Timestamp(millisecondsSinceEpoch: 0), credentialsChangedAt: nil)
        try await store.apply(ChangeSet([.insertAccount(account)]))
        let reopened = try SQLiteSignInStore(path: path)
        #expect(try await reopened.account(id: account.id) == account, "a second open finds the data and migrates nothing")
    }

    @Test func anUnopenablePathIsATypedError() {
        #expect(throws: SignInStoreError.self) { _ = try SQLiteSignInStore(path: "/nonexistent-folder/deep/sign-in.sqlite") }
    }
}
