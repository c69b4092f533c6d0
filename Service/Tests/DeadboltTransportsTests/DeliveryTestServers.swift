import Foundation
import Testing

@testable import DeadboltTransports

/// The servers `scripts/delivery-test-servers start` runs on 127.0.0.1, and where they put what they received.
///
/// Tests that need them are skipped when they are not running, unless `DEADBOLT_REQUIRE_DELIVERY=1` (as
/// scripts/test sets), which turns their absence into a failure.
enum DeliveryTestServers {
    static let plainSMTPPort = 2525
    static let offeringSMTPPort = 2526
    static let startTLSPort = 2587
    static let implicitTLSPort = 2465
    static let httpPort = 2580
    static let httpsPort = 2443

    static var directory: String {
        ProcessInfo.processInfo.environment["DEADBOLT_DELIVERY_TEST_DIR"]
            ?? (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/deadbolt-delivery-test"
    }

    static var required: Bool { ProcessInfo.processInfo.environment["DEADBOLT_REQUIRE_DELIVERY"] == "1" }

    /// Whether the servers answer: every port accepts a connection and the files exist.
    static var running: Bool {
        let ports = [plainSMTPPort, offeringSMTPPort, startTLSPort, implicitTLSPort, httpPort, httpsPort]
        return ports.allSatisfy(accepts) && FileManager.default.fileExists(atPath: directory + "/cert.pem")
    }

    /// For `.enabled(if:)`: run when the servers are up, or when they are required (then the test fails loudly).
    static var available: Bool { running || required }

    static func file(_ name: String) throws -> String {
        try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static var caFile: String { directory + "/cert.pem" }

    /// The message the SMTP server stored with `identifier` in its Message-ID, looking `attempts` times 100 ms
    /// apart (the server stores before it answers 250, so the first look normally finds it).
    static func deliveredEmail(identifier: String, attempts: Int = 50) async throws
        -> (raw: [UInt8], email: ReceivedEmail)?
    {
        let folder = directory + "/maildir/new"
        for attempt in 0..<attempts {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(100)) }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
                let email = try ReceivedEmail(parsing: Array(data))
                if email.header("Message-ID")?.hasPrefix("<\(identifier)@") == true { return (Array(data), email) }
            }
        }
        return nil
    }

    /// The requests the SMS receiver recorded whose body or Idempotency-Key holds `reference`.
    static func recordedRequests(reference: String) throws -> [[String: Any]] {
        let folder = directory + "/sms-spool"
        var records: [[String: Any]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where !name.hasPrefix(".") {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            guard let record = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            let headers = record["headers"] as? [String: String] ?? [:]
            if headers["idempotency-key"] == reference { records.append(record) }
        }
        return records
    }

    private static func accepts(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// A TCP port on 127.0.0.1 that accepts connections into its backlog and never says anything: a server that hangs.
final class SilentListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard bound, listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// Parses `raw` with Python's standard `email` package, an implementation independent of ours, and answers what it
/// decoded: subject, from, to, message-id, date, content type, and the body text.
func pythonParse(_ raw: [UInt8]) throws -> [String: String] {
    let script = """
        import email, email.policy, json, sys
        message = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
        print(json.dumps({
            "subject": str(message["subject"]), "from": str(message["from"]), "to": str(message["to"]),
            "message-id": str(message["message-id"]), "date": str(message["date"]),
            "content-type": message.get_content_type(), "charset": str(message.get_content_charset()),
            "defects": str(len(message.defects)), "body": message.get_content(),
        }))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(raw))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try JSONSerialization.jsonObject(with: data) as? [String: String] ?? [:]
}
