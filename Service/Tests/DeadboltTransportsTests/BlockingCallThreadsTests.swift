import Foundation
import Testing

@testable import DeadboltTransports

@Suite("BlockingCallThreads")
struct BlockingCallThreadsTests {
    @Test("Calls run on the pool's own threads, not on the caller's executor")
    func runsOnOwnThreads() async throws {
        let threads = try BlockingCallThreads(threadCount: 2, queueLength: 4)
        let name = try await threads.run { () throws(DeliveryFailure) in
            // The kernel's name for the running thread, which no executor of Swift's or Dispatch's carries.
            (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        }
        #expect(name.hasPrefix("deadbolt-mail-"))
    }

    @Test("With the only thread busy and a queue of one, exactly one of six calls waits and five are refused")
    func fullQueueRefuses() async throws {
        let threads = try BlockingCallThreads(threadCount: 1, queueLength: 1)
        let gate = DispatchSemaphore(value: 0)
        let started = Counter()
        let ran = Counter()
        let refused = Counter()
        let busy = Task {
            try await threads.run { () throws(DeliveryFailure) in
                started.increment()
                gate.wait()
            }
        }
        for _ in 0..<5000 where started.value == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let calls = (0..<6).map { _ in
            Task {
                do throws(DeliveryFailure) {
                    try await threads.run { () throws(DeliveryFailure) in ran.increment() }
                } catch {
                    if error == .queueFull { refused.increment() }
                }
            }
        }
        for _ in 0..<5000 where refused.value < 5 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(ran.value == 0)
        gate.signal()
        try await busy.value
        for call in calls { _ = await call.result }
        #expect(ran.value == 1)
        #expect(refused.value == 5)
    }

    @Test("Settings out of range are typed errors")
    func settings() {
        #expect(throws: TransportConfigurationError.self) { try BlockingCallThreads(threadCount: 0) }
        #expect(throws: TransportConfigurationError.self) { try BlockingCallThreads(threadCount: 65) }
        #expect(throws: TransportConfigurationError.self) { try BlockingCallThreads(queueLength: 0) }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
