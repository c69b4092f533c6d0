import CHiredis

/// One reply from Redis, copied out of hiredis's memory.
enum RedisReply: Sendable, Equatable {
    case string([UInt8])
    case integer(Int64)
    case array([RedisReply])
    case null
    case status(String)
    /// An error reply: the server's message, starting with its code (`NOSCRIPT`, `MOVED`, `WRONGTYPE`, ...).
    case error(String)

    /// Rebuilds the tree from the shim's pre-order values.
    init(flat reply: dbt_redis_reply) {
        let values = UnsafeBufferPointer(start: reply.values, count: reply.count)
        var index = 0
        self = Self.read(values, &index)
    }

    private static func read(_ values: UnsafeBufferPointer<dbt_redis_value>, _ index: inout Int) -> RedisReply {
        guard index < values.count else { return .null }
        let value = values[index]
        index += 1
        switch value.type {
        case Int32(DBT_REDIS_STRING.rawValue): return .string(bytes(value))
        case Int32(DBT_REDIS_INTEGER.rawValue): return .integer(Int64(value.integer))
        case Int32(DBT_REDIS_STATUS.rawValue): return .status(String(decoding: bytes(value), as: UTF8.self))
        case Int32(DBT_REDIS_ERROR.rawValue): return .error(String(decoding: bytes(value), as: UTF8.self))
        case Int32(DBT_REDIS_ARRAY.rawValue):
            var elements: [RedisReply] = []
            elements.reserveCapacity(min(value.elements, values.count))
            for _ in 0..<value.elements { elements.append(read(values, &index)) }
            return .array(elements)
        default: return .null
        }
    }

    private static func bytes(_ value: dbt_redis_value) -> [UInt8] {
        guard let start = value.str, value.len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: value.len))
    }

    /// What parsing bytes without a connection gave.
    enum Parsed: Equatable {
        /// A whole reply.
        case reply(RedisReply)
        /// A protocol error, or bytes that end before the reply does.
        case malformed
        /// A reply larger than a connection accepts (``DBT_REDIS_MAX_VALUES`` values, or an array announcing more).
        case tooLarge
    }

    /// Parses the first reply in `bytes` (RESP, as a server sends it) exactly as a connection reads one: hiredis's
    /// reader with the shim's bounds, the shim's flattening, then ``init(flat:)``. The reply parser's entry for
    /// fuzzing (Fuzz/Sources/FuzzRedisReply).
    static func parse(_ bytes: [UInt8]) -> Parsed {
        var flat = dbt_redis_reply()
        defer { dbt_redis_reply_free(&flat) }
        var message = [CChar](repeating: 0, count: 128)
        let status = bytes.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { bytes in
                dbt_redis_parse(bytes.baseAddress, bytes.count, &flat, &message, message.count)
            }
        }
        switch status {
        case DBT_REDIS_OK: return .reply(RedisReply(flat: flat))
        case DBT_REDIS_TOO_LARGE: return .tooLarge
        default: return .malformed
        }
    }

    /// The error code of an error reply (`MOVED`, `NOSCRIPT`, ...), or `nil`.
    var errorCode: Substring? {
        guard case .error(let message) = self else { return nil }
        return message.split(separator: " ", maxSplits: 1).first
    }
}
