import CHiredis
import Deadbolt
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One operation for one node: a script (run with `EVALSHA`, loaded on `NOSCRIPT`) or a plain command.
struct RedisRequest: Sendable {
    enum Body: Sendable {
        case script(RedisScript, key: [UInt8], arguments: [[UInt8]])
        case command([[UInt8]])
    }

    var body: Body
    /// Send `ASKING` first: the cluster answered `ASK` (the slot is moving to this node).
    var asking = false
}

/// The connections to one Redis node (``RedisConfiguration/connectionsPerNode`` ``PipelinedConnection``s, taken in
/// turn), the I/O thread that reads them all, and the deadline watcher that answers late callers.
///
/// An operation crosses threads once: the calling task writes its command (when its connection is idle) or queues
/// it (when a batch is in flight), and the I/O thread resumes it with the reply. The I/O thread is one event loop
/// for all the node's connections, like redis-benchmark's (``RedisIOLoop``). The design before this one had the caller
/// wake a worker thread per connection that wrote, read and resumed the caller: two crossings per operation. With
/// one caller, `perf stat` counted 4.1 context switches per operation before and 2.1–2.6 after; with 50 callers, one
/// I/O thread per node, two, or one per connection measured alike (0.3–0.5 per operation, within the noise of a
/// shared machine), so the simplest stays (docs/performance.md, Redis).
///
/// Connecting blocks the I/O thread (up to ``RedisConfiguration/connectTimeout``), and so the node's other
/// connections: they are all to the same server, and an unreachable server fails them all.
///
/// The deadline watcher, one thread per node, resumes a caller with ``StateStoreError/timeout`` if its answer is
/// late, whatever its connection is stuck on. (It replaced a Dispatch timer per operation: arming one woke
/// Dispatch's manager thread on every call, a third thread hop per decision.)
final class RedisNodePool: Sendable {
    let endpoint: RedisEndpoint
    private let connections: [PipelinedConnection]
    /// The connection the next operation goes to, modulo their count.
    private let nextConnection = Atomic<Int>(0)
    private let loop: RedisIOLoop
    private let watch: PthreadLocked<Watch>
    /// Wakes the deadline watcher: when a deadline earlier than every pending one arrives, and at shutdown.
    private let watcherWakeUp = DispatchSemaphore(value: 0)

    /// The watcher answers late callers in sweeps at least this far apart, so under load it wakes at most about
    /// a thousand times a second rather than once per operation; a timeout comes at most this late (a Dispatch
    /// timer's default leeway was a tenth of the wait).
    static let deadlineGranularity: Duration = .milliseconds(1)

    /// The most operations that may wait for one node; beyond it calls fail at once instead of queueing without bound.
    static let maximumQueued = 10_000

    private struct Watch {
        var stopped = false
        /// Every call not yet past its deadline, answered or not.
        var deadlines = DeadlineHeap()
    }

    /// Opens no connection yet: each connects on its first operation.
    /// - Throws: ``StateStoreError/unavailable(reason:)`` when the process is out of file descriptors.
    init(endpoint: RedisEndpoint, configuration: RedisConfiguration, selectsDatabase: Bool) throws(StateStoreError) {
        self.endpoint = endpoint
        let reconnects = ReconnectSchedule()
        let capacity = max(1, Self.maximumQueued / configuration.connectionsPerNode)
        let loop = try RedisIOLoop(endpoint: endpoint)
        connections = (0..<configuration.connectionsPerNode).map { _ in
            PipelinedConnection(
                endpoint: endpoint, configuration: configuration, selectsDatabase: selectsDatabase,
                reconnects: reconnects, capacity: capacity, wake: loop.wake)
        }
        loop.start(connections)
        self.loop = loop
        watch = PthreadLocked(Watch())
        startThread { [self] in watchDeadlines() }
    }

    /// Runs `request` on this node and returns its reply (an error reply included: the caller interprets it).
    /// - Throws: ``StateStoreError/timeout`` when no answer comes by `deadline`,
    ///   ``StateStoreError/unavailable(reason:)`` when the node cannot be reached, is backing off, or is overloaded.
    func run(_ request: RedisRequest, deadline: ContinuousClock.Instant) async throws(StateStoreError) -> RedisReply {
        let connection = connections[nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue % connections.count]
        let result = await withCheckedContinuation { (continuation: PendingCall.Continuation) in
            let call = PendingCall(continuation)
            let (stopped, earliest) = watch.withLock { watch in
                watch.stopped ? (true, false) : (false, watch.deadlines.push(deadline, call))
            }
            if stopped {
                call.finish(.failure(.unavailable(reason: "the redis store was shut down")))
                return
            }
            // Deadlines mostly arrive in order (one operation timeout after the call), so the watcher, asleep
            // until the earliest, rarely needs waking.
            if earliest { watcherWakeUp.signal() }
            connection.submit(PipelinedConnection.exchange(request, call: call, deadline: deadline))
        }
        return try result.get()
    }

    /// Closes the connections, answering every caller still waiting.
    func shutdown() {
        let first = watch.withLock { watch in
            defer { watch.stopped = true }
            return !watch.stopped
        }
        guard first else { return }
        for connection in connections { connection.shutdown() }
        loop.wake()
        watcherWakeUp.signal()
    }

    // MARK: Deadlines

    /// Answers ``StateStoreError/timeout`` to every caller still waiting at its deadline (a no-op for those already
    /// answered), sleeping until the earliest pending deadline. After shutdown it stays until the calls in flight
    /// are past their deadlines, so they still finish or time out.
    private func watchDeadlines() {
        var lastSweep = ContinuousClock.now
        while true {
            let now = ContinuousClock.now
            let (due, earliest, done) = watch.withLock { watch in
                let due = watch.deadlines.popDue(now: now)
                return (due, watch.deadlines.earliest, watch.stopped && watch.deadlines.isEmpty)
            }
            for call in due { call.finish(.failure(.timeout)) }
            if done { break }
            if !due.isEmpty { lastSweep = now }
            guard let earliest else {
                watcherWakeUp.wait()
                continue
            }
            let target = max(earliest, lastSweep + Self.deadlineGranularity)
            let wait = ContinuousClock.now.duration(to: target)
            if wait > .zero { _ = watcherWakeUp.wait(timeout: .now() + .nanoseconds(wait.nanosecondsClamped)) }
        }
    }
}

/// One I/O thread and the connections it serves: one `poll` over their sockets, then every reply that arrived read
/// and its caller resumed, then the next batch written on each connection whose last one is answered.
final class RedisIOLoop: Sendable {
    /// Wakes the thread out of `poll`: a pipe, closed when the loop goes.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(endpoint: RedisEndpoint) throws(StateStoreError) {
        var readEnd: Int32 = -1
        var writeEnd: Int32 = -1
        guard dbt_redis_wake_open(&readEnd, &writeEnd) == 0 else {
            throw .unavailable(reason: "cannot make a wake-up pipe for \(endpoint)")
        }
        wakeRead = readEnd
        wakeWrite = writeEnd
    }

    deinit {
        dbt_redis_wake_close(wakeRead, wakeWrite)
    }

    @Sendable func wake() {
        dbt_redis_wake_signal(wakeWrite)
    }

    func start(_ connections: [PipelinedConnection]) {
        startThread { [self] in serve(connections) }
    }

    /// Connects, writes, waits and reads for every connection until shutdown.
    private func serve(_ connections: [PipelinedConnection]) {
        // A write to a socket the server closed must fail with EPIPE, not kill the process.
        dbt_redis_block_sigpipe()
        while true {
            let now = ContinuousClock.now
            var sockets: [RedisConnection?] = []
            var wantWrite: [Bool] = []
            var checkBy: ContinuousClock.Instant?
            var stopped = 0
            var connecting = false
            for connection in connections {
                var socket: RedisConnection?
                var writing = false
                switch connection.plan(now: now) {
                case .stop(let abandoned):
                    for exchange in abandoned {
                        exchange.call.finish(.failure(.unavailable(reason: "the redis store was shut down")))
                    }
                    stopped += 1
                case .idle:
                    break
                case .connect:
                    connection.connect()
                    connecting = true
                case .wait(let ready, let wantsRoom, let by, let late):
                    for exchange in late { exchange.call.finish(.failure(.timeout)) }
                    socket = ready
                    writing = wantsRoom
                    checkBy = min(checkBy ?? by, by)
                }
                sockets.append(socket)
                wantWrite.append(writing)
            }
            if stopped == connections.count { return }
            // A connection just made has commands to write: plan again before waiting.
            if connecting { continue }
            let timeout = checkBy.map { max(.zero, now.duration(to: $0)) }
            let (_, seen) = RedisConnection.poll(sockets, wantWrite: wantWrite, wakeFD: wakeRead, timeout: timeout)
            let afterWait = ContinuousClock.now
            for (index, connection) in connections.enumerated() {
                guard let socket = sockets[index] else { continue }
                if seen[index] & Int32(DBT_REDIS_READABLE) != 0 {
                    connection.read(socket)
                } else {
                    connection.closeIfStuck(now: afterWait)
                }
            }
        }
    }

}

/// The pending calls by deadline, earliest first. Answered calls stay until their deadline passes or the heap
/// doubles since it last dropped them, so it holds at most about twice the calls in flight (themselves bounded by
/// the queue and the pipelines), however long the operation timeout.
struct DeadlineHeap {
    struct Entry: MinHeapElement {
        let deadline: ContinuousClock.Instant
        let call: PendingCall
        var heapKey: ContinuousClock.Instant { deadline }
    }

    private var heap = MinHeap<Entry>()
    private var compactAt = 4096

    var isEmpty: Bool { heap.isEmpty }
    var earliest: ContinuousClock.Instant? { heap.top?.deadline }

    /// Adds a call; returns whether its deadline is now the earliest (the watcher may be asleep past it).
    mutating func push(_ deadline: ContinuousClock.Instant, _ call: PendingCall) -> Bool {
        if heap.count >= compactAt {
            heap.rebuild(from: heap.elements.filter { !$0.call.isFinished })
            compactAt = max(4096, 2 * heap.count)
        }
        return heap.push(Entry(deadline: deadline, call: call))
    }

    /// Removes and returns every call whose deadline is at or before `now`.
    mutating func popDue(now: ContinuousClock.Instant) -> [PendingCall] {
        var due: [PendingCall] = []
        while let first = heap.top, first.deadline <= now, let popped = heap.pop() { due.append(popped.call) }
        return due
    }
}

/// A caller waiting for its reply: resumed exactly once, by the I/O thread or by the deadline watcher, whichever is
/// first.
final class PendingCall: Sendable {
    typealias Continuation = CheckedContinuation<Result<RedisReply, StateStoreError>, Never>
    private let continuation: PthreadLocked<Continuation?>

    init(_ continuation: Continuation) {
        self.continuation = PthreadLocked(continuation)
    }

    var isFinished: Bool { continuation.withLock { $0 == nil } }

    func finish(_ result: Result<RedisReply, StateStoreError>) {
        let waiting = continuation.withLock { stored in
            defer { stored = nil }
            return stored
        }
        waiting?.resume(returning: result)
    }
}

extension Duration {
    /// This duration in nanoseconds, clamped to `Int`.
    var nanosecondsClamped: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? Int.min : Int.max }
        let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !overflowAgain else { return seconds < 0 ? Int.min : Int.max }
        return Int(total)
    }
}

/// Starts a detached thread running `body`: blocking I/O and waits get a thread of their own rather than one of
/// the cooperative pool's or Dispatch's.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(
        &thread, nil,
        { argument in
            guard let argument else { return nil }
            let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
            box.body()
            return nil
        }, context)
    if started == 0 {
        pthread_detach(thread)
    } else {
        // No thread: run nothing and release the box; the pool answers with timeouts, never a crash.
        Unmanaged<Box>.fromOpaque(context).release()
    }
}
