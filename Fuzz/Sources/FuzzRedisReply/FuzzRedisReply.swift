import FuzzSupport

@testable import DeadboltRedis

/// Redis replies, parsed as a connection parses them (`RedisReply.parse`: hiredis's reader, the shim's
/// flattening, the Swift tree): a reply re-serialised to RESP parses equal; the interpreters of replies (`MOVED`
/// and `ASK` redirects, `CLUSTER SLOTS`) only ever produce slots and endpoints within range.
@main enum FuzzRedisReply {
    static let replying = try! RedisEndpoint(host: "127.0.0.1", port: 6379)

    static func main() {
        runFuzzer { bytes in
            guard case .reply(let reply) = RedisReply.parse(bytes) else { return }
            require(RedisReply.parse(resp(reply)) == .reply(reply), "a reply re-serialised to RESP parses equal")
            if let redirect = Redirect(reply, from: replying) {
                require((0..<HashSlot.count).contains(redirect.slot), "a redirect's slot is a slot")
                require((1...65535).contains(redirect.endpoint.port), "a redirect's port is a port")
                require(reply.errorCode == "MOVED" || reply.errorCode == "ASK", "only MOVED and ASK redirect")
            }
            if let ranges = SlotRange.parse(reply, askedHost: "127.0.0.1") {
                for range in ranges {
                    require(range.slots.lowerBound >= 0 && range.slots.upperBound < HashSlot.count, "slots in range")
                    for endpoint in [range.owner] + range.replicas {
                        require((1...65535).contains(endpoint.port) && !endpoint.host.isEmpty, "endpoints are real")
                    }
                }
            }
        }
    }

    /// RESP2 for a reply, as a server would send it.
    static func resp(_ reply: RedisReply) -> [UInt8] {
        switch reply {
        case .string(let bytes): Array("$\(bytes.count)\r\n".utf8) + bytes + Array("\r\n".utf8)
        case .integer(let value): Array(":\(value)\r\n".utf8)
        case .array(let elements): Array("*\(elements.count)\r\n".utf8) + elements.flatMap(resp)
        case .null: Array("$-1\r\n".utf8)
        case .status(let text): Array("+\(text)\r\n".utf8)
        case .error(let text): Array("-\(text)\r\n".utf8)
        }
    }
}
