import CHiredis
import Deadbolt

/// Why one exchange on one connection failed. The connection is unusable after any of these.
enum RedisIOError: Error, Sendable, Equatable {
    /// No answer within the timeout.
    case timeout
    /// The server closed the connection.
    case closed
    /// Anything else: refused, unreachable, a protocol error; the message is hiredis's (no secrets in it).
    case failed(String)

    /// The core's error for this failure.
    var stateStoreError: StateStoreError {
        switch self {
        case .timeout: .timeout
        case .closed: .unavailable(reason: "redis closed the connection")
        case .failed(let message): .unavailable(reason: message)
        }
    }
}

/// One hiredis connection to a node.
///
/// Until a ``PipelinedConnection`` shares it, one thread uses it alone (connecting, the `AUTH`/`SELECT` handshake:
/// ``exchange(_:replies:)``). Once shared, writers call ``send(_:)`` only while holding the pipeline's lock, and only
/// its node's I/O thread calls ``poll(_:wantWrite:wakeFD:timeout:)``, ``receive()`` and ``nextReply()``: a send
/// touches nothing of hiredis's but the socket, so the two sides never share mutable state.
/// That discipline is what the `@unchecked Sendable` stands for.
final class RedisConnection: @unchecked Sendable {
    private let handle: OpaquePointer

    /// The longest message the shim writes back.
    private static let messageCapacity = 256

    /// Connects within `connectTimeout`; later reads and writes give up after `commandTimeout`. Blocks: runs on a
    /// worker thread only.
    init(
        endpoint: RedisEndpoint, connectTimeout: Duration, commandTimeout: Duration
    ) throws(RedisIOError) {
        var connection: OpaquePointer?
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        let status = dbt_redis_connect(
            endpoint.host, Int32(endpoint.port), connectTimeout.wholeMillisecondsRoundingUp,
            commandTimeout.wholeMillisecondsRoundingUp, &connection, &message, message.count)
        guard status == DBT_REDIS_OK, let connection else {
            throw Self.ioError(status, message)
        }
        handle = connection
    }

    deinit {
        dbt_redis_close(handle)
    }

    /// Sends every command at once (one write), then reads one reply per command, in order. When a read fails the
    /// replies read before it are kept in `replies` for the caller and the error is thrown.
    func exchange(_ commands: [[[UInt8]]], replies: inout [RedisReply]) throws(RedisIOError) {
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        for command in commands {
            let status = Self.withArguments(command) { argc, argv, lengths in
                dbt_redis_append(handle, argc, argv, lengths, &message, message.count)
            }
            guard status == DBT_REDIS_OK else { throw Self.ioError(status, message) }
        }
        for _ in commands {
            var reply = dbt_redis_reply()
            let status = dbt_redis_read(handle, &reply, &message, message.count)
            guard status == DBT_REDIS_OK else {
                dbt_redis_reply_free(&reply)
                throw Self.ioError(status, message)
            }
            replies.append(RedisReply(flat: reply))
            dbt_redis_reply_free(&reply)
        }
    }

    /// Writes what the socket buffer takes without blocking; returns how many bytes went out (0 when it is full).
    func send(_ bytes: [UInt8]) throws(RedisIOError) -> Int {
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        var written = 0
        let status = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return DBT_REDIS_OK }
            return dbt_redis_send(handle, base, buffer.count, &written, &message, message.count)
        }
        guard status == DBT_REDIS_OK else { throw Self.ioError(status, message) }
        return written
    }

    /// Blocks until one of `connections` has something to read (or room to write, where `wantWrite`), `wakeFD` is
    /// signalled, or the timeout passes (`nil`: none). Returns whether it was woken and each connection's
    /// `DBT_REDIS_READABLE`/`WRITABLE` bits (0 for a `nil` connection).
    static func poll(
        _ connections: [RedisConnection?], wantWrite: [Bool], wakeFD: Int32, timeout: Duration?
    ) -> (woken: Bool, seen: [Int32]) {
        let handles = connections.map { $0?.handle }
        let wants = wantWrite.map { Int32($0 ? 1 : 0) }
        var seen = [Int32](repeating: 0, count: connections.count)
        let woken = dbt_redis_poll(
            handles, wants, &seen, connections.count, wakeFD, timeout.map { $0.wholeMillisecondsRoundingUp } ?? -1)
        return (woken != 0, seen)
    }

    /// Reads what has arrived (the socket is readable: this does not block) into hiredis's reply reader.
    func receive() throws(RedisIOError) {
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        let status = dbt_redis_receive(handle, &message, message.count)
        guard status == DBT_REDIS_OK else { throw Self.ioError(status, message) }
    }

    /// The next complete reply among those received, or `nil` when the rest has not arrived yet.
    func nextReply() throws(RedisIOError) -> RedisReply? {
        var message = [CChar](repeating: 0, count: Self.messageCapacity)
        var reply = dbt_redis_reply()
        defer { dbt_redis_reply_free(&reply) }
        let status = dbt_redis_next_reply(handle, &reply, &message, message.count)
        guard status == DBT_REDIS_OK else { throw Self.ioError(status, message) }
        return reply.count == 0 ? nil : RedisReply(flat: reply)
    }

    /// Lays the arguments out in one buffer and hands the shim pointers into it, valid for the call only.
    private static func withArguments<Result>(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?) -> Result
    ) -> Result {
        var joined: [UInt8] = []
        joined.reserveCapacity(arguments.reduce(0) { $0 + $1.count } + 1)
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(joined.count)
            lengths.append(argument.count)
            joined.append(contentsOf: argument)
        }
        // A zero-length last argument would otherwise point one past the end of an empty buffer.
        joined.append(0)
        return joined.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                base.map { ($0 + offset).assumingMemoryBound(to: CChar.self) }
            }
            return pointers.withUnsafeBufferPointer { argv in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(arguments.count), argv.baseAddress, lengthBuffer.baseAddress)
                }
            }
        }
    }

    private static func ioError(_ status: dbt_redis_status, _ message: [CChar]) -> RedisIOError {
        switch status {
        case DBT_REDIS_TIMEOUT: return .timeout
        case DBT_REDIS_CLOSED: return .closed
        default:
            let text = message.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { String(cString: $0) } ?? ""
            }
            return .failed(text.isEmpty ? "connection failed" : text)
        }
    }
}

extension Duration {
    /// This duration in whole milliseconds, rounded up (a 1.2 ms wait never becomes 1 ms), at least 0.
    var wholeMillisecondsRoundingUp: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeMs, remainder) = attoseconds.quotientAndRemainder(dividingBy: perMillisecond)
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return Int.max }
        let total = scaled.addingReportingOverflow(wholeMs + (remainder > 0 ? 1 : 0))
        return total.overflow ? Int.max : Int(max(0, total.partialValue))
    }
}
