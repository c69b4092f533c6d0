import Foundation
import Testing

@testable import DeadboltServer

@Suite("Server over loopback")
struct ServerHTTPTests {
    @Test("Every response carries the security headers, errors and static files included")
    func securityHeaders() async throws {
        try await RunningServer.run(try RunningServer.configuration()) { port, _ in
            for path in ["/", "/healthz", "/no-such-page", "/static/site.css", "/api/v1/no-such-thing"] {
                let response = try await LoopbackHTTP.request(port: port, "GET", path)
                let policy = try #require(response.header("Content-Security-Policy"), "\(path)")
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(response.header("X-Content-Type-Options") == "nosniff")
                #expect(response.header("Referrer-Policy") == "no-referrer")
                if path != "/static/site.css" { #expect(response.header("Cache-Control") == "no-store", "\(path)") }
            }
            let missing = try await LoopbackHTTP.request(port: port, "GET", "/api/v1/no-such-thing")
            #expect(missing.status == 404)
            #expect(missing.header("Content-Type") == "application/problem+json")
            #expect(missing.text.contains(#""type":"urn:deadbolt:problem:not-found""#))
        }
    }

    @Test("Health, readiness and metrics")
    func operational() async throws {
        try await RunningServer.run(try RunningServer.configuration()) { port, _ in
            #expect(try await LoopbackHTTP.request(port: port, "GET", "/healthz").status == 200)
            let ready = try await LoopbackHTTP.request(port: port, "GET", "/readyz")
            #expect(ready.status == 200)
            let metrics = try await LoopbackHTTP.request(port: port, "GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("deadbolt_hashing_pool_waiting"))
            #expect(metrics.text.contains(#"deadbolt_sign_ins_total{outcome="succeeded"}"#))
        }
    }

    @Test("The development mailbox exists only in development mode")
    func mailboxOnlyInDevelopment() async throws {
        try await RunningServer.run(try RunningServer.configuration()) { port, _ in
            let page = try await LoopbackHTTP.request(port: port, "GET", "/dev/mailbox")
            #expect(page.status == 200)
            #expect(page.text.contains("Development mailbox"))
        }
    }

    @Test("Per-address limits answer 429 with Retry-After")
    func addressLimit() async throws {
        let configuration = try RunningServer.configuration {
            $0.addressLimit = .init(burst: 3, interval: .seconds(3600))
        }
        try await RunningServer.run(configuration) { port, _ in
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try await LoopbackHTTP.request(port: port, "GET", "/sign-in").status) }
            #expect(statuses.filter { $0 == 429 }.count == 2)
            let refused = try await LoopbackHTTP.request(port: port, "GET", "/sign-in")
            #expect(refused.status == 429)
            #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1)
        }
    }
}
