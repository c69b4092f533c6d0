import Deadbolt
import Testing

@testable import DeadboltRedis

/// Hash slots and redirects, without a server.
@Suite("Redis Cluster routing")
struct RedisClusterRoutingTests {
    /// Recorded from the three-node test cluster with `redis-cli -p 7001 cluster keyslot <key>` (Redis 7.0.15).
    static let recordedSlots: [(String, Int)] = [
        ("foo", 12182),
        ("bar", 5061),
        ("hello", 866),
        ("123456789", 12739),
        ("{user1000}.following", 3443),
        ("deadbolt:{alice}:lockout", 749),
        ("deadbolt:{}:x", 3670),
        ("{}foo", 9500),
        ("foo{}{bar}", 8363),
        ("foo{{bar}}zap", 4015),
    ]

    @Test("slots match redis-cli cluster keyslot")
    func recorded() {
        for (key, slot) in Self.recordedSlots {
            #expect(HashSlot.of(Array(key.utf8)) == slot, "slot of \(key)")
        }
    }

    @Test("CRC16-XMODEM check value")
    func checkValue() {
        // The catalogued check value of CRC-16/XMODEM over "123456789".
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
    }

    @Test("every key of one scope shares a slot")
    func scopeSharesSlot() throws {
        let keys = try [
            StateKey(namespace: "lockout", scope: "account-42"),
            StateKey(namespace: "code", scope: "account-42", name: "email"),
            StateKey(namespace: "otp-step", scope: "account-42", name: "totp"),
        ]
        let slots = Set(keys.map { HashSlot.of(Array($0.rendered.utf8)) })
        #expect(slots == [HashSlot.of(Array("account-42".utf8))])
    }

    @Test("MOVED and ASK replies parse; anything else does not")
    func redirects() throws {
        let replying = try RedisEndpoint(host: "10.0.0.9", port: 7000)
        let moved = Redirect(.error("MOVED 3999 127.0.0.1:6381"), from: replying)
        #expect(moved?.kind == .moved)
        #expect(moved?.slot == 3999)
        #expect(moved?.endpoint == (try RedisEndpoint(host: "127.0.0.1", port: 6381)))
        let ask = Redirect(.error("ASK 12 :7002"), from: replying)
        #expect(ask?.kind == .ask)
        #expect(ask?.endpoint == (try RedisEndpoint(host: "10.0.0.9", port: 7002)))
        #expect(Redirect(.error("MOVED 16384 127.0.0.1:1"), from: replying) == nil)
        #expect(Redirect(.error("MOVED x 127.0.0.1:1"), from: replying) == nil)
        #expect(Redirect(.error("WRONGTYPE Operation against a key"), from: replying) == nil)
        #expect(Redirect(.integer(1), from: replying) == nil)
    }

    @Test("CLUSTER SLOTS replies parse, replicas included")
    func slotRanges() throws {
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), .array([.string(Array("127.0.0.1".utf8)), .integer(7001), .string([])])]),
            .array([
                .integer(5461), .integer(16383), .array([.string([]), .integer(7002)]),
                .array([.string(Array("127.0.0.1".utf8)), .integer(7012), .string([]), .array([])]),
                .array([.string(Array("127.0.0.1".utf8)), .integer(0)]),
            ]),
        ])
        let ranges = SlotRange.parse(reply, askedHost: "10.1.1.1")
        #expect(ranges == [
            SlotRange(slots: 0...5460, owner: try RedisEndpoint(host: "127.0.0.1", port: 7001)),
            SlotRange(
                slots: 5461...16383, owner: try RedisEndpoint(host: "10.1.1.1", port: 7002),
                replicas: [try RedisEndpoint(host: "127.0.0.1", port: 7012)]),
        ])
        #expect(SlotRange.parse(.array([.array([.integer(5), .integer(1)])]), askedHost: "x") == nil)
        #expect(SlotRange.parse(.error("ERR This instance has cluster support disabled"), askedHost: "x") == nil)
    }
}

/// Redirects on the running three-node cluster. Serialized: the ASK test migrates a slot for a moment.
@Suite("Redis Cluster redirects", .serialized)
struct RedisClusterRedirectTests {
    static func scope() -> String { "cluster-\(UInt64.random(in: 0...UInt64.max))" }

    @Test("a stale slot map is corrected by MOVED")
    func moved() async throws {
        guard let store = try await RedisTestEnvironment.clusterStore() else { return }
        try await using(store) { store in
            let first = try RedisEndpoint(host: "127.0.0.1", port: RedisTestEnvironment.clusterPorts[0])
            store.router.assumeEverySlot(ownedBy: first)
            let before = store.router.redirectsFollowed
            // Forty scopes spread over the three nodes: about two thirds are not on the first.
            for _ in 0..<40 {
                let key = try StateKey(namespace: "resend", scope: Self.scope())
                #expect(try await store.claim(key, ttl: .seconds(5)))
                #expect(try await !store.claim(key, ttl: .seconds(5)))
            }
            #expect(store.router.redirectsFollowed > before)
            // Once the map is read again, calls go straight to their node.
            try await store.router.refresh(deadline: .now + .seconds(2))
            let settled = store.router.redirectsFollowed
            for _ in 0..<20 {
                _ = try await store.claim(try StateKey(namespace: "resend", scope: Self.scope()), ttl: .seconds(5))
            }
            #expect(store.router.redirectsFollowed == settled)
        }
    }

    @Test("a slot being migrated is followed with ASKING")
    func ask() async throws {
        guard let store = try await RedisTestEnvironment.clusterStore() else { return }
        try await using(store) { store in
            try await store.router.refresh(deadline: .now + .seconds(2))
            let key = try StateKey(namespace: "code", scope: Self.scope())
            let slot = HashSlot.of(Array(key.rendered.utf8))
            guard let source = store.router.owner(ofSlot: slot),
                let target = RedisTestEnvironment.clusterPorts.first(where: { $0 != source.port })
            else {
                Issue.record("no owner for slot \(slot)")
                return
            }
            guard let sourceID = RedisServerProcess.cli(port: source.port, ["CLUSTER", "MYID"]),
                let targetID = RedisServerProcess.cli(port: target, ["CLUSTER", "MYID"])
            else {
                Issue.record("redis-cli did not run")
                return
            }
            defer {
                RedisServerProcess.cli(port: target, ["CLUSTER", "SETSLOT", String(slot), "STABLE"])
                RedisServerProcess.cli(port: source.port, ["CLUSTER", "SETSLOT", String(slot), "STABLE"])
            }
            #expect(RedisServerProcess.cli(port: target, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID]) == "OK")
            #expect(RedisServerProcess.cli(port: source.port, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID]) == "OK")

            let before = store.router.redirectsFollowed
            let digest = [UInt8](repeating: 3, count: 32)
            // The key is not on the source, so the source answers ASK and the code is written on the target.
            try await store.putCode(key, digest: digest, context: [1], tries: 3, ttl: .seconds(30))
            #expect(RedisServerProcess.cli(port: target, ["CLUSTER", "COUNTKEYSINSLOT", String(slot)]) == "1")
            #expect(RedisServerProcess.cli(port: source.port, ["CLUSTER", "COUNTKEYSINSLOT", String(slot)]) == "0")
            #expect(store.router.redirectsFollowed > before)
            #expect(try await store.redeemCode(key, digest: digest) == .redeemed(context: [1]))
            // ASK does not change the map: the slot still belongs to the source until the migration completes.
            #expect(store.router.owner(ofSlot: slot) == source)
        }
    }

    @Test("a standalone store pointed at a cluster node refuses instead of misrouting")
    func standaloneOnClusterNode() async throws {
        guard let cluster = try await RedisTestEnvironment.clusterStore() else { return }
        try await using(cluster) { cluster in
            try await cluster.router.refresh(deadline: .now + .seconds(2))
            let firstPort = RedisTestEnvironment.clusterPorts[0]
            var key = try StateKey(namespace: "resend", scope: Self.scope())
            while cluster.router.owner(ofSlot: HashSlot.of(Array(key.rendered.utf8)))?.port == firstPort {
                key = try StateKey(namespace: "resend", scope: Self.scope())
            }
            let standalone = try RedisStateStore(
                configuration: RedisTestEnvironment.configuration(
                    .standalone(try RedisEndpoint(host: "127.0.0.1", port: firstPort))))
            defer { standalone.shutdown() }
            do {
                _ = try await standalone.claim(key, ttl: .seconds(5))
                Issue.record("a standalone store wrote through a cluster node that does not own the key")
            } catch let error as StateStoreError {
                guard case .unavailable(let reason) = error else {
                    Issue.record("expected unavailable, got \(error)")
                    return
                }
                #expect(reason.contains("cluster"))
            }
        }
    }
}
