import Foundation
import Testing

@testable import DeadboltServer

/// Abuse and overload over loopback: forged and cross-site forms, huge and trickling bodies, and a hashing pool at
/// its budget, each answered with the right status and never a 500.
@Suite("Server under abuse")
struct AbuseTests {
    static func browserCookie(_ response: LoopbackResponse) throws -> String {
        let setCookie = try #require(
            response.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("__Host-deadbolt-browser=") }?
                .1)
        return String(setCookie.prefix { $0 != ";" })
    }

    static func csrf(_ response: LoopbackResponse) throws -> String {
        let text = response.text
        let marker = #"name="csrf" value=""#
        let start = try #require(text.range(of: marker)).upperBound
        return String(text[start...].prefix { $0 != "\"" })
    }

    @Test("Forms need the browser's CSRF token and a same-origin request")
    func csrfAndOrigin() async throws {
        try await RunningServer.run(try RunningServer.configuration()) { port, configuration in
            let page = try await LoopbackHTTP.request(port: port, "GET", "/sign-in")
            let cookie = try Self.browserCookie(page)
            let token = try Self.csrf(page)
            let origin = configuration.origin(boundPort: port)
            func post(_ body: String, _ headers: [(String, String)]) async throws -> LoopbackResponse {
                try await LoopbackHTTP.request(
                    port: port, "POST", "/sign-in",
                    headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie)] + headers,
                    body: Array(body.utf8))
            }
            let good = try await post(
                "csrf=\(token)&email=someone%40example.com", [("Origin", origin), ("Sec-Fetch-Site", "same-origin")])
            #expect(good.status == 200)
            #expect(good.text.contains("Enter your password"))
            // A wrong token, a missing token, another site's Origin, a cross-site fetch, cookies without any origin.
            let forged = String(repeating: "0", count: 64)
            #expect(try await post("csrf=\(forged)&email=a%40example.com", [("Origin", origin)]).status == 403)
            #expect(try await post("email=a%40example.com", [("Origin", origin)]).status == 403)
            #expect(
                try await post("csrf=\(token)&email=a%40example.com", [("Origin", "https://evil.example")]).status
                    == 403)
            #expect(
                try await post("csrf=\(token)&email=a%40example.com", [("Sec-Fetch-Site", "cross-site")]).status == 403)
            #expect(try await post("csrf=\(token)&email=a%40example.com", []).status == 403)
            // Browsers send `Origin: null` on same-origin posts under `Referrer-Policy: no-referrer`.
            #expect(
                try await post(
                    "csrf=\(token)&email=a%40example.com", [("Origin", "null"), ("Sec-Fetch-Site", "same-origin")]
                ).status == 200)
        }
    }

    @Test("A body over the limit is refused with 413, a trickling one with 408")
    func bodyLimits() async throws {
        let configuration = try RunningServer.configuration {
            $0.maximumBodyBytes = 2048
            $0.requestTimeout = .seconds(1)
        }
        try await RunningServer.run(configuration) { port, _ in
            // Declares 4096 bytes: refused from the header, before any of the body is read.
            let refused = try LoopbackHTTP.parse(
                try await LoopbackHTTP.offPool {
                    try LoopbackHTTP.exchange(
                        port: port,
                        Array(
                            "POST /api/v1/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nDeadbolt-Client: abuse-test-client-0001\r\nContent-Length: 4096\r\n\r\n"
                                .utf8))
                })
            #expect(refused.status == 413)
            #expect(refused.header("Content-Type") == "application/problem+json")
            // Declares 100 bytes, sends 10, then waits: the server answers 408 after its request timeout.
            let head =
                "POST /api/v1/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nDeadbolt-Client: abuse-test-client-0001\r\nContent-Length: 100\r\n\r\n{\"email\":"
            let raw = try await LoopbackHTTP.offPool { try LoopbackHTTP.exchange(port: port, Array(head.utf8)) }
            let answer = try LoopbackHTTP.parse(raw)
            #expect(answer.status == 408)
        }
    }

    @Test("A hashing pool at its budget answers 503 with Retry-After, never a 500 and never an unbounded queue")
    func overload() async throws {
        // Room for one Argon2 hash (19 MiB) at a time, and almost no wait for it.
        let configuration = try RunningServer.configuration {
            $0.hashingMemoryBudgetBytes = 24 << 20
            $0.hashingAdmissionTimeout = .milliseconds(20)
        }
        try await RunningServer.run(configuration) { port, _ in
            let client = [("Content-Type", "application/json"), ("Deadbolt-Client", "overload-test-client-01")]
            var tokens: [String] = []
            for index in 0..<12 {
                let started = try await LoopbackHTTP.request(
                    port: port, "POST", "/api/v1/sign-in", headers: client,
                    body: Array(#"{"email":"nobody\#(index)@example.com"}"#.utf8))
                #expect(started.status == 200)
                let object = try JSONSerialization.jsonObject(with: Data(started.body)) as? [String: Any]
                tokens.append(try #require(object?["stepToken"] as? String))
            }
            let statuses = try await withThrowingTaskGroup(of: LoopbackResponse.self) { group in
                for token in tokens {
                    group.addTask {
                        try await LoopbackHTTP.request(
                            port: port, "POST", "/api/v1/sign-in/password", headers: client,
                            body: Array(#"{"stepToken":"\#(token)","password":"wrong password for nobody"}"#.utf8))
                    }
                }
                var answers: [LoopbackResponse] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            let overloaded = statuses.filter { $0.status == 503 }
            #expect(!overloaded.isEmpty, "twelve parallel hashes through a one-hash pool with a 20 ms wait")
            #expect(statuses.allSatisfy { $0.status == 401 || $0.status == 503 }, "\(statuses.map(\.status))")
            for answer in overloaded {
                #expect(Int(answer.header("Retry-After") ?? "") ?? 0 >= 1)
                #expect(answer.text.contains("urn:deadbolt:problem:overloaded"))
            }
        }
    }
}
