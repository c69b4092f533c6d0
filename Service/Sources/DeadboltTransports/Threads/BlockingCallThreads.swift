import CCurl
import Foundation

/// A few dedicated threads for the transports' blocking calls (libcurl's SMTP and HTTP transfers, the mailbox's
/// `fsync`), so that no event loop and no thread of Swift's cooperative pool ever waits on a network or a disk.
///
/// The threads start with the value and end when the last reference to it goes (after finishing the call each one
/// is running). Calls wait in a first-come-first-served queue of bounded length; a call that finds it full is
/// refused at once with ``DeliveryFailure/queueFull`` (the outbox retries it later), so a burst of messages costs
/// latency and refusals, never unbounded memory. A call cannot be interrupted once it has started: each transport
/// bounds its own calls with connect and total timeouts.
public final class BlockingCallThreads: Sendable {
    /// The most threads one value may start.
    public static let maximumThreadCount = 64
    /// The longest queue one value may keep.
    public static let maximumQueueLength = 65_536

    private let queue: JobQueue

    /// Starts `threadCount` threads (1 to ``maximumThreadCount``) that take calls from a queue of at most
    /// `queueLength` waiting calls (1 to ``maximumQueueLength``).
    /// - Throws: ``TransportConfigurationError/outOfRange(setting:range:)`` for a count or length out of range.
    public init(threadCount: Int = 4, queueLength: Int = 1024) throws(TransportConfigurationError) {
        guard (1...Self.maximumThreadCount).contains(threadCount) else {
            throw .outOfRange(setting: "thread count", range: "1...\(Self.maximumThreadCount)")
        }
        guard (1...Self.maximumQueueLength).contains(queueLength) else {
            throw .outOfRange(setting: "queue length", range: "1...\(Self.maximumQueueLength)")
        }
        queue = JobQueue(limit: queueLength)
        for index in 0..<threadCount {
            let queue = self.queue
            // Named from inside: Foundation on Linux applies a name set before start to no kernel thread.
            Thread { queue.serve(threadName: "deadbolt-mail-\(index)") }.start()
        }
    }

    deinit {
        queue.close()
    }

    /// Runs `work` on one of the threads and returns what it returns.
    /// - Throws: ``DeliveryFailure/queueFull`` when the queue is full, or what `work` throws.
    public func run<Value: Sendable>(
        _ work: @escaping @Sendable () throws(DeliveryFailure) -> Value
    ) async throws(DeliveryFailure) -> Value {
        let result: Result<Value, DeliveryFailure> = await withCheckedContinuation { continuation in
            let accepted = queue.enqueue {
                do throws(DeliveryFailure) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(.queueFull)) }
        }
        return try result.get()
    }
}

/// The calls waiting for a thread, guarded by one condition variable.
private final class JobQueue: @unchecked Sendable {
    // @unchecked: `jobs`, `head` and `closed` are read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var jobs: [(@Sendable () -> Void)?] = []
    private var head = 0
    private var closed = false
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Queues `job`, or answers false when `limit` calls already wait or the threads are ending.
    func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, jobs.count - head < limit else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Tells the threads to end once the queue is empty.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// A thread's life: take the oldest call, run it, repeat until closed and empty.
    func serve(threadName: String) {
        Thread.current.name = threadName
        dbt_curl_block_sigpipe()
        while let job = next() { job() }
    }

    private func next() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if closed { return nil }
            condition.wait()
        }
        let job = jobs[head]
        jobs[head] = nil
        head += 1
        // Compact once the consumed prefix is most of the array, so memory follows the calls waiting.
        if head > 64, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}
