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

/// The connections to one Redis node: a few dedicated threads, each owning one blocking hiredis connection, and
/// a bounded queue of operations they share.
///
/// hiredis blocks, so its I/O never runs on the Swift cooperative pool or an event loop: callers enqueue and
/// suspend on a continuation; a worker thread takes up to ``RedisConfiguration/pipelineDepth`` queued operations,
/// writes them in one go (pipelining), reads the replies in order and resumes each caller. One more thread, the
/// deadline watcher, resumes a caller with ``StateStoreError/timeout`` if its answer is late, whatever the worker
/// is stuck on. (It replaced a Dispatch timer per operation: arming one woke Dispatch's manager thread on every
/// call, a third thread hop per decision that `deadbolt-bench --filter redis` measured.)
final class RedisNodePool: Sendable {
    let endpoint: RedisEndpoint
    private let configuration: RedisConfiguration
    /// Whether `SELECT` applies (a cluster node refuses it).
    private let selectsDatabase: Bool
    private let state: Mutex<State>
    /// Counts queued jobs (and shutdown wake-ups); workers wait on it, and a wake-up with nothing queued is harmless.
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Wakes the deadline watcher: when a deadline earlier than every pending one arrives, and at shutdown.
    private let watcherWakeUp = DispatchSemaphore(value: 0)

    /// The watcher answers late callers in sweeps at least this far apart, so under load it wakes at most about
    /// a thousand times a second rather than once per operation; a timeout comes at most this late (a Dispatch
    /// timer's default leeway was a tenth of the wait).
    static let deadlineGranularity: Duration = .milliseconds(1)

    /// The most operations that may wait for one node; beyond it calls fail at once instead of queueing without bound.
    static let maximumQueued = 10_000

    private struct Job {
        let request: RedisRequest
        let call: PendingCall
        let deadline: ContinuousClock.Instant
    }

    private struct State {
        var queue: [Job] = []
        var stopped = false
        /// When the next connection attempt may start, after a failed one; `nil` when none failed.
        var reconnectAt: ContinuousClock.Instant?
        var backoff: Duration = .zero
        /// Every call not yet past its deadline, answered or not, for the watcher.
        var deadlines = DeadlineHeap()
    }

    init(endpoint: RedisEndpoint, configuration: RedisConfiguration, selectsDatabase: Bool) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.selectsDatabase = selectsDatabase
        state = Mutex(State())
        for _ in 0..<configuration.connectionsPerNode {
            startThread { [self] in work() }
        }
        startThread { [self] in watchDeadlines() }
    }

    /// Runs `request` on this node and returns its reply (an error reply included: the caller interprets it).
    /// - Throws: ``StateStoreError/timeout`` when no answer comes by `deadline`,
    ///   ``StateStoreError/unavailable(reason:)`` when the node cannot be reached, is backing off, or is overloaded.
    func run(_ request: RedisRequest, deadline: ContinuousClock.Instant) async throws(StateStoreError) -> RedisReply {
        let result = await withCheckedContinuation { (continuation: PendingCall.Continuation) in
            let call = PendingCall(continuation)
            let (refusal, earliest): (StateStoreError?, Bool) = state.withLock { state in
                if state.stopped { return (.unavailable(reason: "the redis store was shut down"), false) }
                if state.queue.count >= Self.maximumQueued {
                    return (.unavailable(reason: "too many operations waiting for \(endpoint)"), false)
                }
                state.queue.append(Job(request: request, call: call, deadline: deadline))
                return (nil, state.deadlines.push(deadline, call))
            }
            if let refusal {
                call.finish(.failure(refusal))
                return
            }
            wakeUp.signal()
            // Deadlines mostly arrive in order (one operation timeout after the call), so the watcher, asleep
            // until the earliest, rarely needs waking.
            if earliest { watcherWakeUp.signal() }
        }
        return try result.get()
    }

    /// Stops the workers after their current exchange and fails everything still queued.
    func shutdown() {
        let abandoned = state.withLock { state -> [Job] in
            guard !state.stopped else { return [] }
            state.stopped = true
            defer { state.queue.removeAll() }
            return state.queue
        }
        for job in abandoned { job.call.finish(.failure(.unavailable(reason: "the redis store was shut down"))) }
        for _ in 0..<configuration.connectionsPerNode { wakeUp.signal() }
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
            let (due, earliest, done) = state.withLock { state in
                let due = state.deadlines.popDue(now: now)
                return (due, state.deadlines.earliest, state.stopped && state.deadlines.isEmpty)
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

    // MARK: Workers

    private func work() {
        // A write to a socket the server closed must fail with EPIPE, not kill the process.
        dbt_redis_block_sigpipe()
        var connection: RedisConnection?
        while true {
            wakeUp.wait()
            let (batch, stopped) = state.withLock { state -> ([Job], Bool) in
                let count = min(state.queue.count, configuration.pipelineDepth)
                defer { state.queue.removeFirst(count) }
                return (Array(state.queue.prefix(count)), state.stopped)
            }
            if stopped { break }
            let now = ContinuousClock.now
            var live: [Job] = []
            for job in batch {
                // A late job is never sent: its caller was already told `timeout`, so it must not take effect.
                if job.call.isFinished || job.deadline <= now {
                    job.call.finish(.failure(.timeout))
                } else {
                    live.append(job)
                }
            }
            guard !live.isEmpty else { continue }
            do throws(StateStoreError) {
                let ready = try usableConnection(&connection)
                // Connecting may have outlived some deadlines: those callers already have their timeout.
                let stillWaiting = live.filter { !$0.call.isFinished }
                if !stillWaiting.isEmpty, !exchange(stillWaiting, on: ready) { connection = nil }
            } catch {
                for job in live { job.call.finish(.failure(error)) }
            }
        }
        connection = nil
    }

    /// The worker's connection, reconnected (and authenticated) when missing or closed by the server.
    private func usableConnection(_ connection: inout RedisConnection?) throws(StateStoreError) -> RedisConnection {
        // A connection the server closed (a restart) shows as readable while idle: replace it before sending, so
        // no operation is lost on it and none is sent twice.
        if let existing = connection, !existing.isStale { return existing }
        connection = nil
        let waitUntil = state.withLock { $0.reconnectAt }
        if let waitUntil, ContinuousClock.now < waitUntil {
            throw .unavailable(reason: "reconnecting to \(endpoint) after a failure")
        }
        do throws(StateStoreError) {
            let fresh: RedisConnection
            do throws(RedisIOError) {
                fresh = try RedisConnection(
                    endpoint: endpoint, connectTimeout: configuration.connectTimeout,
                    commandTimeout: configuration.commandTimeout)
            } catch {
                throw error.stateStoreError
            }
            try handshake(fresh)
            state.withLock { state in
                state.reconnectAt = nil
                state.backoff = .zero
            }
            connection = fresh
            return fresh
        } catch {
            state.withLock { state in
                let doubled = state.backoff == .zero ? configuration.initialBackoff : state.backoff * 2
                state.backoff = min(doubled, configuration.maximumBackoff)
                state.reconnectAt = ContinuousClock.now + state.backoff
            }
            throw error
        }
    }

    /// `AUTH` and `SELECT`, in one round trip.
    private func handshake(_ connection: RedisConnection) throws(StateStoreError) {
        var commands: [[[UInt8]]] = []
        if let password = configuration.password {
            var secret = password.withUnsafeBytes { Array($0) }
            defer { SecretBytes.wipe(&secret) }
            if let username = configuration.username {
                commands.append([Array("AUTH".utf8), Array(username.utf8), secret])
            } else {
                commands.append([Array("AUTH".utf8), secret])
            }
        }
        if selectsDatabase, configuration.database != 0 {
            commands.append([Array("SELECT".utf8), Array(String(configuration.database).utf8)])
        }
        guard !commands.isEmpty else { return }
        var replies: [RedisReply] = []
        defer {
            // The AUTH command held the password; the copies in `commands` go with it.
            for index in commands.indices {
                for argument in commands[index].indices { SecretBytes.wipe(&commands[index][argument]) }
            }
        }
        do throws(RedisIOError) {
            try connection.exchange(commands, replies: &replies)
        } catch {
            throw error.stateStoreError
        }
        for reply in replies {
            if let code = reply.errorCode {
                // Only the error code: the message never echoes the password, but the reason needs no more.
                throw .unavailable(reason: "redis refused the connection setup (\(code))")
            }
        }
    }

    /// Pipelines `jobs` on `connection` and resumes each caller. Returns `false` when the connection broke.
    private func exchange(_ jobs: [Job], on connection: RedisConnection) -> Bool {
        // Scripts no node has loaded yet are loaded first, so every EVALSHA below names a known digest.
        for job in jobs {
            guard case .script(let script, _, _) = job.request.body, script.digest == nil else { continue }
            do throws(RedisIOError) {
                try load(script, on: connection)
            } catch {
                for job in jobs { job.call.finish(.failure(error.stateStoreError)) }
                return false
            }
        }
        var commands: [[[UInt8]]] = []
        var replyIndex: [Int] = []
        for job in jobs {
            if job.request.asking { commands.append([Array("ASKING".utf8)]) }
            commands.append(Self.wireCommand(job.request.body))
            replyIndex.append(commands.count - 1)
        }
        var replies: [RedisReply] = []
        var failure: RedisIOError?
        do throws(RedisIOError) {
            try connection.exchange(commands, replies: &replies)
        } catch {
            failure = error
        }
        for (job, index) in zip(jobs, replyIndex) {
            guard index < replies.count else {
                job.call.finish(.failure(failure?.stateStoreError ?? .unavailable(reason: "no reply")))
                continue
            }
            var reply = replies[index]
            if reply.errorCode == "NOSCRIPT", failure == nil, case .script(let script, _, _) = job.request.body {
                // The node lost its script cache (a restart, SCRIPT FLUSH, a failover): the script did not run,
                // so loading it and sending it again cannot apply it twice.
                do throws(RedisIOError) {
                    try load(script, on: connection)
                    var again: [RedisReply] = []
                    var retry: [[[UInt8]]] = []
                    if job.request.asking { retry.append([Array("ASKING".utf8)]) }
                    retry.append(Self.wireCommand(job.request.body))
                    try connection.exchange(retry, replies: &again)
                    reply = again.last ?? .null
                } catch {
                    failure = error
                    job.call.finish(.failure(error.stateStoreError))
                    continue
                }
            }
            job.call.finish(.success(reply))
        }
        return failure == nil
    }

    private func load(_ script: RedisScript, on connection: RedisConnection) throws(RedisIOError) {
        let reply = try connection.command([Array("SCRIPT".utf8), Array("LOAD".utf8), script.source])
        // Anything but a digest (NOPERM, a read-only replica) leaves it unknown: the EVALSHA after it answers
        // NOSCRIPT, which the caller gets as the node's refusal.
        if case .string(let digest) = reply, digest.count == 40 { script.digest = digest }
    }

    private static func wireCommand(_ body: RedisRequest.Body) -> [[UInt8]] {
        switch body {
        case .command(let arguments):
            return arguments
        case .script(let script, let key, let arguments):
            // Without a digest (its load failed and the error was already reported) EVALSHA answers NOSCRIPT.
            return [Array("EVALSHA".utf8), script.digest ?? Array("0".utf8), Array("1".utf8), key] + arguments
        }
    }
}

/// The pending calls by deadline, earliest first: a binary min-heap. Answered calls stay until their deadline
/// passes or the heap doubles since it last dropped them, so it holds at most about twice the calls in flight
/// (themselves bounded by the queue and the pipelines), however long the operation timeout.
struct DeadlineHeap {
    private var entries: [(deadline: ContinuousClock.Instant, call: PendingCall)] = []
    private var compactAt = 4096

    var isEmpty: Bool { entries.isEmpty }
    var earliest: ContinuousClock.Instant? { entries.first?.deadline }

    /// Adds a call; returns whether its deadline is now the earliest (the watcher may be asleep past it).
    mutating func push(_ deadline: ContinuousClock.Instant, _ call: PendingCall) -> Bool {
        if entries.count >= compactAt {
            // Amortized O(log n) per push: a sorted array is a valid heap.
            entries.removeAll { $0.call.isFinished }
            entries.sort { $0.deadline < $1.deadline }
            compactAt = max(4096, 2 * entries.count)
        }
        entries.append((deadline, call))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
        return child == 0
    }

    /// Removes and returns every call whose deadline is at or before `now`.
    mutating func popDue(now: ContinuousClock.Instant) -> [PendingCall] {
        var due: [PendingCall] = []
        while let first = entries.first, first.deadline <= now {
            due.append(first.call)
            let last = entries.removeLast()
            guard !entries.isEmpty else { break }
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < entries.count, entries[left].deadline < entries[smallest].deadline { smallest = left }
                if right < entries.count, entries[right].deadline < entries[smallest].deadline { smallest = right }
                guard smallest != parent else { break }
                entries.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}

/// A caller waiting for its reply: resumed exactly once, by the worker or by the deadline timer, whichever is first.
final class PendingCall: Sendable {
    typealias Continuation = CheckedContinuation<Result<RedisReply, StateStoreError>, Never>
    private let continuation: Mutex<Continuation?>

    init(_ continuation: Continuation) {
        self.continuation = Mutex(continuation)
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

/// Starts a detached thread running `body`: the worker's blocking I/O gets a thread of its own rather than one of
/// the cooperative pool's or Dispatch's.
private func startThread(_ body: @escaping @Sendable () -> Void) {
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
