import Foundation
import Testing

@testable import DeadboltServer

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Server configuration")
struct ConfigurationTests {
    @Test("CIDR blocks parse strictly and match only their own family")
    func addressRanges() throws {
        let range = try AddressRange(parsing: "10.0.0.0/8")
        #expect(range.contains(try #require(IPAddress("10.200.3.4"))))
        #expect(!range.contains(try #require(IPAddress("11.0.0.1"))))
        #expect(!range.contains(try #require(IPAddress("::a00:1"))))
        // An IPv4-mapped IPv6 peer is the IPv4 address it carries.
        #expect(range.contains(try #require(IPAddress("::ffff:10.1.2.3"))))
        let v6 = try AddressRange(parsing: "fd00::/8")
        #expect(v6.contains(try #require(IPAddress("fd12:3456::1"))))
        #expect(throws: ConfigurationError.self) { try AddressRange(parsing: "10.0.0.1/8") }
        #expect(throws: ConfigurationError.self) { try AddressRange(parsing: "10.0.0.0/33") }
        #expect(throws: ConfigurationError.self) { try AddressRange(parsing: "example.com") }
        #expect(throws: ConfigurationError.self) { try AddressRange(parsing: "10.0.0.0/8/1") }
    }

    @Test("X-Forwarded-For is believed only from trusted proxies, read from the right")
    func forwardedFor() throws {
        let resolver = ClientAddressResolver(trustedProxies: [try AddressRange(parsing: "10.0.0.0/8")])
        let proxy = IPAddress("10.0.0.5")
        let stranger = IPAddress("203.0.113.9")
        // A client that is not a proxy cannot name another address.
        #expect(resolver.clientAddress(peer: stranger, forwardedFor: ["198.51.100.1"]) == stranger)
        // Through the proxy: the rightmost untrusted entry, whatever the client wrote at the left.
        #expect(
            resolver.clientAddress(peer: proxy, forwardedFor: ["198.51.100.1, 192.0.2.7", "10.0.0.9"])
                == IPAddress("192.0.2.7"))
        // A garbled entry ends the walk at the last hop that could be checked.
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: ["192.0.2.7, garbage"]) == proxy)
        // No header: the proxy itself.
        #expect(resolver.clientAddress(peer: proxy, forwardedFor: []) == proxy)
    }

    @Test("Bad settings are refused with the setting's name")
    func badSettings() throws {
        #expect(throws: ConfigurationError.invalidValue(setting: "--redis", reason: "'localhost' is not HOST:PORT")) {
            try HostPort(parsing: "localhost", setting: "--redis")
        }
        #expect(try HostPort(parsing: "[::1]:6379", setting: "--redis").port == 6379)
        #expect(throws: ConfigurationError.self) { try HostPort(parsing: "host:99999", setting: "--redis") }
        #expect(throws: ConfigurationError.self) { try DatabaseLocation(parsing: "mysql://x") }
        #expect(
            try DatabaseLocation(parsing: "postgres://u:secret@db:5432/deadbolt").redacted
                == "PostgreSQL postgres://…@db:5432/deadbolt")
        var configuration = ServerConfiguration.embeddedDefault()
        configuration.database = .postgres(url: "postgres://u:p@db/deadbolt")
        // Replicas must share keys: the data folder's generated keys are refused with PostgreSQL.
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration = .embeddedDefault()
        configuration.publicOrigin = "ftp://example.gov"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.publicOrigin = "https://auth.example.gov/"
        try configuration.validate()
        #expect(configuration.origin(boundPort: 1) == "https://auth.example.gov")
    }

    @Test("Keys are made on first start with mode 0600, read back unchanged, and never printed")
    func generatedKeys() throws {
        let folder = try RunningServer.temporaryFolder()
        let sources = Dictionary(
            uniqueKeysWithValues: ServerKeys.Kind.allCases.map { ($0, ServerKeys.Source.dataFolder(folder)) })
        let first = try ServerKeys.load(sources, environment: [:])
        for kind in ServerKeys.Kind.allCases {
            var status = stat()
            #expect(stat(folder + "/" + kind.fileName, &status) == 0)
            #expect(status.st_mode & 0o777 == 0o600)
        }
        let pepperFile = try String(contentsOfFile: folder + "/pepper.key", encoding: .utf8)
        let second = try ServerKeys.load(sources, environment: [:])
        #expect(first.pepper.current.id == second.pepper.current.id)
        #expect(try String(contentsOfFile: folder + "/pepper.key", encoding: .utf8) == pepperFile)
        #expect(!"\(first.cookie)".contains(pepperFile.suffix(20)))
        // A key file that others can read is refused.
        chmod(folder + "/cookie.key", 0o644)
        #expect(throws: ConfigurationError.self) { try ServerKeys.load(sources, environment: [:]) }
    }

    @Test("Key files and variables: id:hex lines, current first; short keys and junk refused")
    func keyLines() throws {
        let hex = String(repeating: "ab", count: 32)
        let lines = try KeyLine.parse(Array("# comment\nnew:\(hex)\n\nold:\(hex)\n".utf8), origin: "test")
        #expect(lines.map(\.id) == ["new", "old"])
        #expect(throws: ConfigurationError.self) { try KeyLine.parse(Array("k:abcd\n".utf8), origin: "test") }
        #expect(throws: ConfigurationError.self) { try KeyLine.parse(Array("no separator\n".utf8), origin: "test") }
        #expect(throws: ConfigurationError.self) {
            try KeyLine.parse(Array("\n# only comments\n".utf8), origin: "test")
        }
        let environment = [
            "DEADBOLT_PEPPER_KEYS": "p1:\(hex)", "DEADBOLT_SEALING_KEYS": "s1:\(hex)",
            "DEADBOLT_CODE_HASHING_KEYS": "c1:\(hex)", "DEADBOLT_COOKIE_KEYS": "k1:\(hex)",
        ]
        let sources = Dictionary(
            uniqueKeysWithValues: ServerKeys.Kind.allCases.map {
                ($0, ServerKeys.Source.environment($0.environmentVariable))
            })
        let keys = try ServerKeys.load(sources, environment: environment)
        #expect(keys.pepper.current.id == "p1")
        #expect(keys.sealing.current.id == "s1")
        #expect(throws: ConfigurationError.self) { try ServerKeys.load(sources, environment: [:]) }
    }

    @Test("Forms: bounded fields, percent-decoding, first value wins")
    func forms() throws {
        let form = try FormFields(parsing: Array("email=a%40example.com&name=J+Doe&email=other&empty=".utf8))
        #expect(form["email"] == "a@example.com")
        #expect(form["name"] == "J Doe")
        #expect(form.trimmed("empty") == nil)
        #expect(throws: Problem.self) { try FormFields(parsing: Array("bad=%zz".utf8)) }
        let long = "password=" + String(repeating: "x", count: FormFields.maximumValueBytes + 1)
        #expect(throws: Problem(.invalidField, "This is too long.", field: "password")) {
            try FormFields(parsing: Array(long.utf8))
        }
        let many = (0...FormFields.maximumFields).map { "f\($0)=1" }.joined(separator: "&")
        #expect(throws: Problem.self) { try FormFields(parsing: Array(many.utf8)) }
    }
}
