import Testing

@testable import DeadboltRedis

/// Reply parsing without a server (`RedisReply.parse`, the fuzz target's entry): the same hiredis reader and
/// flattening a connection uses.
@Suite struct RedisReplyParsingTests {
    func parse(_ text: String) -> RedisReply? {
        guard case .reply(let reply) = RedisReply.parse(Array(text.utf8)) else { return nil }
        return reply
    }

    @Test func parsesEveryReplyType() {
        #expect(parse("+OK\r\n") == .status("OK"))
        #expect(parse("-MOVED 3999 127.0.0.1:7002\r\n") == .error("MOVED 3999 127.0.0.1:7002"))
        #expect(parse(":-42\r\n") == .integer(-42))
        #expect(parse("$3\r\na\0b\r\n") == .string([0x61, 0, 0x62]))
        #expect(parse("$-1\r\n") == .null)
        #expect(parse("*2\r\n:1\r\n*1\r\n$0\r\n\r\n") == .array([.integer(1), .array([.string([])])]))
    }

    @Test func refusesIncompleteAndMalformedReplies() {
        #expect(parse("") == nil)
        #expect(parse("$5\r\nab\r\n") == nil)
        #expect(parse("*2\r\n:1\r\n") == nil)
        #expect(parse("?what\r\n") == nil)
        #expect(RedisReply.parse(Array("$5\r\nab\r\n".utf8)) == .malformed)
    }

    /// The fuzzer's finding (Fuzz/regressions/FuzzRedisReply): hiredis allocated an array's element table from its
    /// header alone, so `*1777777777` made it ask for 14 GB before any element arrived. Arrays announcing more
    /// elements than a reply may hold are refused as too large, on a connection and here.
    @Test func refusesAnArrayAnnouncingMoreElementsThanAReplyHolds() {
        #expect(RedisReply.parse(Array("*1777777777\r\n".utf8)) == .tooLarge)
        #expect(RedisReply.parse(Array("*1048577\r\n".utf8)) == .tooLarge)
        #expect(RedisReply.parse(Array("*2\r\n*1777777777\r\n".utf8)) == .tooLarge)
        #expect(RedisReply.parse(Array("*1048576\r\n".utf8)) == .malformed, "within the bound: waits for its elements")
    }
}
