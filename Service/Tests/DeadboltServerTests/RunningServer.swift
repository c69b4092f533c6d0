import DeadboltServer
import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing

/// A server started in this process on an ephemeral port of 127.0.0.1, with its data in a fresh temporary folder;
/// `run` hands the port to the test body and stops the server after it.
enum RunningServer {
    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "deadbolt-server-tests-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The embedded default in a temporary folder, on port 0, adjusted by `adjust`.
    static func configuration(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) throws -> ServerConfiguration {
        var configuration = ServerConfiguration.embeddedDefault(dataFolder: try temporaryFolder() + "/data")
        configuration.port = 0
        configuration.hashingMemoryBudgetBytes = 64 << 20
        adjust(&configuration)
        return configuration
    }

    static func run(
        _ configuration: ServerConfiguration,
        _ body: @Sendable (_ port: Int, _ configuration: ServerConfiguration) async throws -> Void
    ) async throws {
        var configuration = configuration
        let portBox = Mutex<Int?>(nil)
        var logger = Logger(label: "test.server")
        logger.logLevel = .warning
        let listening = AsyncStream<Int>.makeStream()
        let application = try await ServerApplication.make(configuration: configuration, logger: logger) { port in
            portBox.withLock { $0 = port }
            listening.continuation.yield(port)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.run() }
            var iterator = listening.stream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw LoopbackError.connect }
            configuration.port = port
            configuration.publicOrigin = configuration.origin(boundPort: port)
            try await body(port, configuration)
            group.cancelAll()
        }
    }
}
