import DeadboltSQLite
import DeadboltSignIn
import DeadboltSignInConformance
import Foundation
import Testing

/// The storage conformance suite on SQLite: an in-memory database and a file (WAL) for every case.
@Suite struct SQLiteConformanceTests {
    @Test(arguments: SignInStoreConformance.cases)
    func inMemory(_ check: SignInStoreConformance.Case) async throws {
        try await SignInStoreConformance { injector in try SQLiteSignInStore(path: ":memory:", faultInjector: injector) }.run(check)
    }

    @Test(arguments: SignInStoreConformance.cases)
    func file(_ check: SignInStoreConformance.Case) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deadbolt-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await SignInStoreConformance { injector in
            try SQLiteSignInStore(path: folder.appendingPathComponent("sign-in.sqlite").path, faultInjector: injector)
        }.run(check)
    }
}
