import CHiredis
import Deadbolt

/// One connection to a node, written by callers and read by the node's I/O thread (``RedisNodePool``), which
/// resumes each caller with its reply.
///
/// A caller that finds the connection idle (nothing awaiting a reply, nothing waiting to be written) writes its
/// command itself with one non-blocking `send` and suspends; the I/O thread, already blocked in `poll` on the
/// socket, wakes for the reply (the wake-up any client pays) and resumes the caller: one thread crossing per
/// operation. A caller that finds the connection busy appends its encoded command to the unwritten queue and makes
/// no system call at all: the I/O thread, awake anyway for the replies in flight, writes what queued meanwhile as
/// the next batch once the last one is answered, which is where pipelining comes from under load.
///
/// hiredis's blocking I/O (connecting, the handshake, reading) only ever runs on the I/O thread; a caller's `send`
/// is `MSG_DONTWAIT` and cannot block: when the socket buffer is full the rest waits in the queue for the I/O
/// thread, which asks `poll` for room.
///
/// Replies are matched to commands by their order on the wire, so a caller told ``StateStoreError/timeout`` leaves
/// the connection consistent: its reply, when it comes, is read and dropped. A command not yet written when its
/// deadline passes is never written. When nothing at all comes back for ``RedisConfiguration/commandTimeout`` while
/// replies are owed, the connection is closed (every caller on it answered) and the next command reconnects.
final class PipelinedConnection: Sendable {
    private let endpoint: RedisEndpoint
    private let configuration: RedisConfiguration
    /// Whether `SELECT` applies (a cluster node refuses it).
    private let selectsDatabase: Bool
    private let reconnects: ReconnectSchedule
    /// A pthread mutex rather than `Mutex`: callers and the I/O thread contend for it on every operation, and the
    /// standard library's priority-inheritance futex made each contended hand-off a kernel round trip (11% of the
    /// client's samples at 50 callers in `perf`).
    private let state: PthreadLocked<State>
    /// Signals the node's I/O thread out of `poll`.
    private let wake: @Sendable () -> Void
    /// The most operations one connection holds, written or not; beyond it calls fail at once.
    private let capacity: Int

    /// A command on its way: encoded, perhaps partly written, then awaiting its replies.
    struct Exchange {
        let call: PendingCall
        let request: RedisRequest
        let deadline: ContinuousClock.Instant
        /// The command(s) in RESP.
        var bytes: [UInt8]
        /// How many of `bytes` are on the wire.
        var written = 0
        /// Replies that come before the answer, in order.
        var leading: [LeadingReply]
        /// Sent again after `NOSCRIPT`: a second `NOSCRIPT` is the caller's answer.
        var isRetry = false
    }

    enum LeadingReply {
        /// `+OK` to `ASKING`.
        case asking
        /// The SHA-1 `SCRIPT LOAD` answers, recorded on the script.
        case scriptLoad(RedisScript)
    }

    private struct State {
        /// The connection callers write to; `nil` while there is none or the I/O thread is (re)connecting.
        var connection: RedisConnection?
        /// Written whole, awaiting replies, oldest first.
        var sent: [Exchange] = []
        /// Accepted, not yet written whole; only the first may be partly written.
        var unwritten: [Exchange] = []
        /// Since when a reply has been owed without any arriving: set when `sent` stops being empty and on every
        /// reply.
        var awaitingSince: ContinuousClock.Instant = .now
        var stopped = false
    }

    /// What the I/O thread does for this connection next.
    enum Plan {
        /// Shut down: answer these and forget the connection.
        case stop([Exchange])
        /// No connection and nothing to send.
        case idle
        /// Commands wait and there is no connection.
        case connect
        /// Wait on `connection` (for room to write too, with `wantWrite`) until `checkBy`; answer `late` (their
        /// deadline passed before any of their bytes went out) with a timeout.
        case wait(RedisConnection, wantWrite: Bool, checkBy: ContinuousClock.Instant, late: [Exchange])
    }

    init(
        endpoint: RedisEndpoint, configuration: RedisConfiguration, selectsDatabase: Bool,
        reconnects: ReconnectSchedule, capacity: Int, wake: @escaping @Sendable () -> Void
    ) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.selectsDatabase = selectsDatabase
        self.reconnects = reconnects
        self.capacity = capacity
        self.wake = wake
        state = PthreadLocked(State())
    }

    /// Sends `exchange` (now when the connection is idle, else with the next batch) or answers its caller at once
    /// with the reason it cannot be sent.
    func submit(_ exchange: Exchange) {
        var exchange = exchange
        let (refusal, wakeUp): (StateStoreError?, Bool) = state.withLock { state in
            if state.stopped { return (.unavailable(reason: "the redis store was shut down"), false) }
            if state.sent.count + state.unwritten.count >= capacity {
                return (.unavailable(reason: "too many operations waiting for \(endpoint)"), false)
            }
            guard let connection = state.connection else {
                if reconnects.isBackingOff {
                    return (.unavailable(reason: "reconnecting to \(endpoint) after a failure"), false)
                }
                state.unwritten.append(exchange)
                // The I/O thread connects when it finds work; it already knows when the queue was not empty.
                return (nil, state.unwritten.count == 1)
            }
            guard state.sent.isEmpty, state.unwritten.isEmpty else {
                // Busy: the I/O thread, awake for the replies in flight (or for room to write), writes it next.
                state.unwritten.append(exchange)
                return (nil, false)
            }
            do throws(RedisIOError) {
                exchange.written = try connection.send(exchange.bytes)
            } catch {
                // Nothing went out: the I/O thread finds the connection broken, reconnects and sends it then.
                state.unwritten.append(exchange)
                return (nil, true)
            }
            if exchange.written == exchange.bytes.count {
                state.awaitingSince = .now
                state.sent.append(exchange)
                return (nil, false)
            }
            // The socket buffer is full: the I/O thread must wait for room, which it only does when told.
            state.unwritten.append(exchange)
            return (nil, true)
        }
        if let refusal { exchange.call.finish(.failure(refusal)) }
        if wakeUp { wake() }
    }

    /// Refuses new commands; the I/O thread answers those waiting at its next ``plan(now:)``.
    func shutdown() {
        state.withLock { $0.stopped = true }
    }

    // MARK: Steps of the I/O thread

    /// Writes what waits (when connected) and says what to wait for.
    func plan(now: ContinuousClock.Instant) -> Plan {
        state.withLock { state -> Plan in
            if state.stopped {
                defer {
                    state.sent.removeAll()
                    state.unwritten.removeAll()
                    state.connection = nil
                }
                return .stop(state.sent + state.unwritten)
            }
            guard let connection = state.connection else { return state.unwritten.isEmpty ? .idle : .connect }
            let (late, wantsRoom) = flush(&state, on: connection, now: now)
            let checkBy: ContinuousClock.Instant
            if state.sent.isEmpty && state.unwritten.isEmpty {
                // Idle, watching for the server closing the connection; a caller may write meanwhile without
                // waking the thread, so look at the clock again within a command timeout.
                checkBy = now + configuration.commandTimeout
            } else {
                if state.sent.isEmpty { state.awaitingSince = now }
                checkBy = state.awaitingSince + configuration.commandTimeout
            }
            return .wait(connection, wantWrite: wantsRoom, checkBy: checkBy, late: late)
        }
    }

    /// Reads what arrived on `connection` and answers the callers it completes; on a failure closes it.
    func read(_ connection: RedisConnection) {
        do throws(RedisIOError) {
            try connection.receive()
            try answer(from: connection)
        } catch {
            disconnect(error.stateStoreError)
        }
    }

    /// Closes the connection when replies are owed and none came for a command timeout.
    func closeIfStuck(now: ContinuousClock.Instant) {
        let stuck = state.withLock { state in
            !state.sent.isEmpty && state.awaitingSince + configuration.commandTimeout <= now
        }
        if stuck { disconnect(.timeout) }
    }

    /// Writes the next batch, when the last one is answered: up to ``RedisConfiguration/pipelineDepth`` commands
    /// in one `send`, as much as the socket takes. Commands nothing of which was written by their deadline are
    /// dropped and returned, to be answered. Returns whether to wait for room to write the rest.
    ///
    /// One batch at a time, like `redis-benchmark -P`: writing whatever was queued after every read made batches of
    /// a few commands, each `send` waking redis-server (half as many operations per write, and a lower rate, at 50
    /// callers than the batch-at-a-time worker threads this replaced).
    private func flush(_ state: inout State, on connection: RedisConnection, now: ContinuousClock.Instant)
        -> (late: [Exchange], wantsRoom: Bool)
    {
        guard let first = state.unwritten.first, state.sent.isEmpty || first.written > 0 else { return ([], false) }
        var late: [Exchange] = []
        var batch: [Exchange] = []
        var rest: [Exchange] = []
        for exchange in state.unwritten {
            if exchange.written == 0, exchange.call.isFinished || exchange.deadline <= now {
                late.append(exchange)
            } else if batch.count < configuration.pipelineDepth {
                batch.append(exchange)
            } else {
                rest.append(exchange)
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(batch.reduce(0) { $0 + $1.bytes.count - $1.written })
        for exchange in batch { output.append(contentsOf: exchange.bytes[exchange.written...]) }
        var written = 0
        do throws(RedisIOError) {
            written = try connection.send(output)
        } catch {
            // The read that follows sees the broken connection and answers everyone.
        }
        if state.sent.isEmpty, written > 0 { state.awaitingSince = now }
        var index = 0
        while index < batch.count, written > 0 {
            let taken = min(written, batch[index].bytes.count - batch[index].written)
            batch[index].written += taken
            written -= taken
            guard batch[index].written == batch[index].bytes.count else { break }
            state.sent.append(batch[index])
            index += 1
        }
        state.unwritten = Array(batch[index...]) + rest
        let wantsRoom = state.unwritten.first.map { $0.written > 0 || state.sent.isEmpty } ?? false
        return (late, wantsRoom)
    }

    /// Reads every complete reply received, hands each answer to its caller, and queues again the scripts the
    /// node had lost (`NOSCRIPT`).
    private func answer(from connection: RedisConnection) throws(RedisIOError) {
        var replies: [RedisReply] = []
        while let reply = try connection.nextReply() { replies.append(reply) }
        guard !replies.isEmpty else { return }
        var answers: [(PendingCall, RedisReply)] = []
        let unexpected = state.withLock { state -> Bool in
            state.awaitingSince = .now
            var consumed = 0
            defer { state.sent.removeFirst(consumed) }
            for reply in replies {
                guard consumed < state.sent.count else { return true }
                if !state.sent[consumed].leading.isEmpty {
                    let leading = state.sent[consumed].leading.removeFirst()
                    if case .scriptLoad(let script) = leading, case .string(let digest) = reply, digest.count == 40 {
                        script.digest = digest
                    }
                    // Anything but a digest (NOPERM, a read-only replica) leaves it unknown: the EVAL after it
                    // answers for itself.
                    continue
                }
                let exchange = state.sent[consumed]
                consumed += 1
                if reply.errorCode == "NOSCRIPT", !exchange.isRetry, let retry = Self.retry(exchange) {
                    // The node lost its script cache (a restart, SCRIPT FLUSH, a failover): the script did not
                    // run, so sending it again cannot apply it twice.
                    state.unwritten.append(retry)
                } else {
                    answers.append((exchange.call, reply))
                }
            }
            return false
        }
        for (call, reply) in answers { call.finish(.success(reply)) }
        if unexpected { throw .failed("redis sent a reply nothing asked for") }
    }

    /// Connects and authenticates (blocking: the I/O thread only), or answers every queued caller with the failure
    /// and schedules the next attempt.
    func connect() {
        let fresh: RedisConnection
        do throws(StateStoreError) {
            do throws(RedisIOError) {
                fresh = try RedisConnection(
                    endpoint: endpoint, connectTimeout: configuration.connectTimeout,
                    commandTimeout: configuration.commandTimeout)
            } catch {
                throw error.stateStoreError
            }
            try handshake(fresh)
        } catch {
            reconnects.failed(configuration)
            let queued = state.withLock { state in
                defer { state.unwritten.removeAll() }
                return state.unwritten
            }
            for exchange in queued { exchange.call.finish(.failure(error)) }
            return
        }
        reconnects.succeeded()
        state.withLock { $0.connection = fresh }
    }

    /// Closes the connection and answers every caller whose command was on it; commands not yet written stay for
    /// the next connection (none is sent twice).
    private func disconnect(_ error: StateStoreError) {
        let lost = state.withLock { state -> [Exchange] in
            state.connection = nil
            var lost = state.sent
            state.sent.removeAll()
            if let first = state.unwritten.first, first.written > 0 {
                lost.append(first)
                state.unwritten.removeFirst()
            }
            return lost
        }
        for exchange in lost { exchange.call.finish(.failure(error)) }
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

    // MARK: Encoding

    /// The exchange for `request`: `EVALSHA` when the script's digest is known, else `SCRIPT LOAD` (to learn it)
    /// followed by `EVAL`, which runs the source and needs no digest; `ASKING` first when asked.
    static func exchange(
        _ request: RedisRequest, call: PendingCall, deadline: ContinuousClock.Instant
    ) -> Exchange {
        var encoder = RESPEncoder()
        var leading: [LeadingReply] = []
        if case .script(let script, _, _) = request.body, script.digest == nil {
            encoder.command(["SCRIPT".utf8, "LOAD".utf8], script.source)
            leading.append(.scriptLoad(script))
        }
        if request.asking {
            encoder.command(["ASKING".utf8])
            leading.append(.asking)
        }
        encoder.body(request.body, useDigest: true)
        return Exchange(call: call, request: request, deadline: deadline, bytes: encoder.bytes, leading: leading)
    }

    /// `exchange` sent again with `EVAL`, after the node answered `NOSCRIPT`; `nil` for a plain command.
    private static func retry(_ exchange: Exchange) -> Exchange? {
        guard case .script = exchange.request.body else { return nil }
        var encoder = RESPEncoder()
        var leading: [LeadingReply] = []
        if exchange.request.asking {
            encoder.command(["ASKING".utf8])
            leading.append(.asking)
        }
        encoder.body(exchange.request.body, useDigest: false)
        return Exchange(
            call: exchange.call, request: exchange.request, deadline: exchange.deadline, bytes: encoder.bytes,
            leading: leading, isRetry: true)
    }
}

/// When a node's connections may try to connect again after a failure; shared by them, so one refused attempt
/// makes every caller of that node fail at once until the pause is over.
final class ReconnectSchedule: Sendable {
    private struct Backoff {
        /// When the next connection attempt may start; `nil` when none failed.
        var reconnectAt: ContinuousClock.Instant?
        var pause: Duration = .zero
    }

    private let backoff = PthreadLocked(Backoff())

    var isBackingOff: Bool {
        backoff.withLock { state in state.reconnectAt.map { ContinuousClock.now < $0 } ?? false }
    }

    func failed(_ configuration: RedisConfiguration) {
        backoff.withLock { state in
            let doubled = state.pause == .zero ? configuration.initialBackoff : state.pause * 2
            state.pause = min(doubled, configuration.maximumBackoff)
            state.reconnectAt = ContinuousClock.now + state.pause
        }
    }

    func succeeded() {
        backoff.withLock { state in
            state.reconnectAt = nil
            state.pause = .zero
        }
    }
}

/// Commands in RESP, the Redis wire format: `*<count>`, then `$<length>` and the bytes of each argument.
struct RESPEncoder {
    private(set) var bytes: [UInt8] = []

    mutating func command(_ words: [String.UTF8View], _ last: [UInt8]...) {
        header(words.count + last.count)
        for word in words { argument(word) }
        for argument in last { self.argument(argument) }
    }

    mutating func body(_ body: RedisRequest.Body, useDigest: Bool) {
        switch body {
        case .command(let arguments):
            header(arguments.count)
            for argument in arguments { self.argument(argument) }
        case .script(let script, let key, let arguments):
            header(4 + arguments.count)
            if useDigest, let digest = script.digest {
                argument("EVALSHA".utf8)
                argument(digest)
            } else {
                argument("EVAL".utf8)
                argument(script.source)
            }
            argument("1".utf8)
            argument(key)
            for argument in arguments { self.argument(argument) }
        }
    }

    private mutating func header(_ count: Int) {
        bytes.append(UInt8(ascii: "*"))
        decimal(count)
    }

    private mutating func argument(_ value: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "$"))
        decimal(value.count)
        bytes.append(contentsOf: value)
        bytes.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    /// `value` in ASCII digits (a small string: no allocation), then CRLF.
    private mutating func decimal(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
        bytes.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }
}
