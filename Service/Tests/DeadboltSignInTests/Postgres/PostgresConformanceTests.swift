import DeadboltSignIn
import DeadboltSignInConformance
import Testing

@testable import DeadboltPostgres

/// The storage conformance suite, unchanged, on PostgreSQL: each case on a fresh database of its own.
@Suite("Postgres conformance")
struct PostgresConformanceTests {
    @Test(arguments: SignInStoreConformance.cases)
    func conformance(_ check: SignInStoreConformance.Case) async throws {
        try await PostgresTestEnvironment.withStores { configuration, stores in
            try await SignInStoreConformance { injector in
                try await stores.start(configuration, faultInjector: injector)
            }.run(check)
        }
    }
}
