import Testing

@testable import DeadboltPostgres

/// `postgres://` URLs and the bounds of a configuration (no server needed).
@Suite("Postgres configuration")
struct PostgresConfigurationTests {
    @Test("a libpq-style URL: user, password, host, port, database and sslmode, percent-decoded")
    func url() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://app%40east:p%3Ass%2Fw@db.internal:6432/deadbolt%5Fprod?sslmode=verify-full")
        #expect(configuration.username == "app@east")
        #expect(configuration.password == "p:ss/w")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6432)
        #expect(configuration.database == "deadbolt_prod")
        #expect(configuration.transportSecurity == .verifyFull)
        let defaults = try PostgresConfiguration(url: "postgres://deadbolt@127.0.0.1/deadbolt")
        #expect(defaults.port == 5432)
        #expect(defaults.password == nil)
        #expect(defaults.transportSecurity == .prefer)
        #expect(try PostgresConfiguration(url: "postgres://u@h/d?sslmode=require").transportSecurity == .verifyFull)
        #expect(try PostgresConfiguration(url: "postgres://u@h/d?sslmode=disable").transportSecurity == .disable)
    }

    @Test("the description masks the password")
    func description() throws {
        let configuration = try PostgresConfiguration(url: "postgres://deadbolt:hunter2-secret@127.0.0.1:5439/postgres")
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description == "postgres://deadbolt:•••@127.0.0.1:5439/postgres?sslmode=prefer")
    }

    @Test("malformed URLs and settings out of range are typed errors that never repeat the password", arguments: [
        "mysql://u:secretpw@h/d", "postgres://h/d", "postgres://u:secretpw@/d", "postgres://u:secretpw@h",
        "postgres://u:secretpw@h/d?sslmode=allow", "postgres://u:secretpw@h/d?host=elsewhere", "postgres://u:secretpw@h:0/d",
        "not a url", "postgres://u:secretpw@h/" + String(repeating: "d", count: 64),
    ])
    func refused(_ url: String) {
        do {
            _ = try PostgresConfiguration(url: url)
            Issue.record("accepted \(url.prefix(60))")
        } catch let error as PostgresConfigurationError {
            #expect(!error.description.contains("secretpw"))
        } catch {
            Issue.record("an untyped error: \(error)")
        }
    }

    @Test("timeouts, pool size, retries and the URL's length are bounded")
    func bounds() {
        #expect(throws: PostgresConfigurationError.self) {
            try PostgresConfiguration(url: "postgres://u@h/" + String(repeating: "d", count: PostgresConfiguration.maximumURLLength))
        }
        #expect(throws: PostgresConfigurationError.self) {
            try PostgresConfiguration(host: "h", username: "u", password: nil, database: "d", operationTimeout: .zero)
        }
        #expect(throws: PostgresConfigurationError.self) {
            try PostgresConfiguration(host: "h", username: "u", password: nil, database: "d", maximumConnections: 0)
        }
        #expect(throws: PostgresConfigurationError.self) {
            try PostgresConfiguration(host: "h", username: "u", password: nil, database: "d", serializationRetries: 101)
        }
        #expect(throws: PostgresConfigurationError.self) {
            try PostgresConfiguration(host: "h\0", username: "u", password: nil, database: "d")
        }
    }
}
