import Deadbolt

/// Sends each operation to the node that owns its key, and follows Redis Cluster's redirections.
///
/// hiredis 0.14 routes nothing, so this keeps the slot map itself: `CLUSTER SLOTS` on first use, the one slot a
/// `MOVED` names updated at once (with a full refresh in the background), and `ASK` answered by sending `ASKING`
/// before the retry on the named node, without touching the map (the slot is only migrating). A standalone server
/// needs none of it: every operation goes to its one pool.
final class RedisRouter: Sendable {
    private let configuration: RedisConfiguration
    private let seeds: [RedisEndpoint]
    private let isCluster: Bool
    private let state: PthreadLocked<State>

    /// Redirects one operation may follow (a slot moves once; a second hop is an `ASK` during a migration).
    static let maximumRedirects = 5
    /// Nodes the router will open pools to; a bound on threads whatever the cluster says.
    static let maximumNodes = 64
    /// The shortest pause between two background refreshes of the slot map.
    static let refreshInterval: Duration = .milliseconds(200)

    private struct State {
        /// Per slot, the index in `nodes` of its primary, or -1 when unknown.
        var owners = [Int16](repeating: -1, count: HashSlot.count)
        var nodes: [RedisEndpoint] = []
        /// Replicas the last `CLUSTER SLOTS` named: never routed to, but asked for the map when the primaries
        /// stop answering (after a failover a promoted replica is the one that knows).
        var replicas: [RedisEndpoint] = []
        var pools: [RedisEndpoint: RedisNodePool] = [:]
        var lastRefresh: ContinuousClock.Instant?
        var refreshing = false
        var redirectsFollowed = 0
        var stopped = false
    }

    init(configuration: RedisConfiguration) {
        self.configuration = configuration
        switch configuration.topology {
        case .standalone(let endpoint):
            seeds = [endpoint]
            isCluster = false
        case .cluster(let endpoints):
            seeds = endpoints
            isCluster = true
        }
        state = PthreadLocked(State())
    }

    /// Runs `script` on `key`'s node and returns its reply; error replies other than redirections come back as
    /// replies for the caller to interpret.
    /// - Throws: ``StateStoreError/timeout`` past the operation deadline, ``StateStoreError/unavailable(reason:)``.
    func run(_ script: RedisScript, key: [UInt8], arguments: [[UInt8]]) async throws(StateStoreError) -> RedisReply {
        let deadline = ContinuousClock.now + configuration.operationTimeout
        let body = RedisRequest.Body.script(script, key: key, arguments: arguments)
        guard isCluster else {
            let reply = try await pool(for: seeds[0]).run(RedisRequest(body: body), deadline: deadline)
            if let code = reply.errorCode, code == "MOVED" || code == "ASK" {
                throw .unavailable(reason: "the server is a cluster node: configure the cluster topology")
            }
            return reply
        }
        let slot = HashSlot.of(key)
        var target = try await owner(of: slot, deadline: deadline)
        var asking = false
        for _ in 0...Self.maximumRedirects {
            let reply: RedisReply
            do throws(StateStoreError) {
                reply = try await target.run(RedisRequest(body: body, asking: asking), deadline: deadline)
            } catch {
                // A primary that stops answering sends no MOVED: after a failover only the other nodes know the
                // new owner, so read the map from them for the next call.
                refreshInBackground()
                throw error
            }
            guard let redirect = Redirect(reply, from: target.endpoint) else { return reply }
            state.withLock { $0.redirectsFollowed += 1 }
            switch redirect.kind {
            case .moved:
                try record(slot: redirect.slot, owner: redirect.endpoint)
                refreshInBackground()
                asking = false
            case .ask:
                asking = true
            }
            target = try pool(for: redirect.endpoint)
        }
        throw .unavailable(reason: "more than \(Self.maximumRedirects) cluster redirects for one operation")
    }

    /// Stops every pool; calls after this fail with ``StateStoreError/unavailable(reason:)``.
    func shutdown() {
        let pools = state.withLock { state -> [RedisNodePool] in
            state.stopped = true
            return Array(state.pools.values)
        }
        for pool in pools { pool.shutdown() }
    }

    // MARK: Slot map

    /// The pool of the node that owns `slot`, reading the slot map first when the slot is unknown.
    private func owner(of slot: Int, deadline: ContinuousClock.Instant) async throws(StateStoreError) -> RedisNodePool {
        if let known = try knownOwner(of: slot) { return known }
        try await refresh(deadline: deadline)
        // Still unknown (a slot no node serves): any node answers with a redirect or CLUSTERDOWN.
        if let known = try knownOwner(of: slot) { return known }
        return try pool(for: seeds[0])
    }

    private func knownOwner(of slot: Int) throws(StateStoreError) -> RedisNodePool? {
        let endpoint = state.withLock { state -> RedisEndpoint? in
            let index = Int(state.owners[slot])
            return index >= 0 ? state.nodes[index] : nil
        }
        guard let endpoint else { return nil }
        return try pool(for: endpoint)
    }

    /// Reads `CLUSTER SLOTS` from the first node that answers: known primaries, then their replicas, then the
    /// seeds.
    func refresh(deadline: ContinuousClock.Instant) async throws(StateStoreError) {
        let candidates = state.withLock { state in state.nodes + state.replicas } + seeds
        var lastError = StateStoreError.unavailable(reason: "no cluster node answered CLUSTER SLOTS")
        var asked = Set<RedisEndpoint>()
        for endpoint in candidates where asked.insert(endpoint).inserted {
            do throws(StateStoreError) {
                let reply = try await pool(for: endpoint).run(
                    RedisRequest(body: .command([Array("CLUSTER".utf8), Array("SLOTS".utf8)])), deadline: deadline)
                guard let ranges = SlotRange.parse(reply, askedHost: endpoint.host) else {
                    lastError = .unavailable(reason: "\(endpoint) gave no usable CLUSTER SLOTS answer")
                    continue
                }
                install(ranges)
                return
            } catch {
                lastError = error
                if ContinuousClock.now >= deadline { break }
            }
        }
        throw lastError
    }

    private func install(_ ranges: [SlotRange]) {
        state.withLock { state in
            var owners = [Int16](repeating: -1, count: HashSlot.count)
            var nodes: [RedisEndpoint] = []
            for range in ranges {
                let index: Int
                if let existing = nodes.firstIndex(of: range.owner) {
                    index = existing
                } else {
                    guard nodes.count < Self.maximumNodes else { continue }
                    nodes.append(range.owner)
                    index = nodes.count - 1
                }
                for slot in range.slots { owners[slot] = Int16(index) }
            }
            state.owners = owners
            state.nodes = nodes
            var replicas: [RedisEndpoint] = []
            for range in ranges {
                for replica in range.replicas where !replicas.contains(replica) && !nodes.contains(replica) {
                    guard replicas.count < Self.maximumNodes else { break }
                    replicas.append(replica)
                }
            }
            state.replicas = replicas
            state.lastRefresh = ContinuousClock.now
        }
    }

    /// Points `slot` at `owner` (what `MOVED` said), before the full refresh lands.
    private func record(slot: Int, owner: RedisEndpoint) throws(StateStoreError) {
        try state.withLock { (state) throws(StateStoreError) in
            if let index = state.nodes.firstIndex(of: owner) {
                state.owners[slot] = Int16(index)
                return
            }
            guard state.nodes.count < Self.maximumNodes else {
                throw .unavailable(reason: "the cluster named more than \(Self.maximumNodes) nodes")
            }
            state.nodes.append(owner)
            state.owners[slot] = Int16(state.nodes.count - 1)
        }
    }

    private func refreshInBackground() {
        let start = state.withLock { state -> Bool in
            guard !state.refreshing, !state.stopped else { return false }
            if let last = state.lastRefresh, last.duration(to: .now) < Self.refreshInterval { return false }
            state.refreshing = true
            return true
        }
        guard start else { return }
        let deadline = ContinuousClock.now + configuration.operationTimeout
        Task {
            try? await refresh(deadline: deadline)
            state.withLock { state in
                state.refreshing = false
                state.lastRefresh = ContinuousClock.now
            }
        }
    }

    /// The pool for `endpoint`, opened on first use.
    private func pool(for endpoint: RedisEndpoint) throws(StateStoreError) -> RedisNodePool {
        try state.withLock { (state) throws(StateStoreError) -> RedisNodePool in
            if let pool = state.pools[endpoint] { return pool }
            guard !state.stopped else { throw .unavailable(reason: "the redis store was shut down") }
            guard state.pools.count < Self.maximumNodes else {
                throw .unavailable(reason: "the cluster named more than \(Self.maximumNodes) nodes")
            }
            let pool = try RedisNodePool(endpoint: endpoint, configuration: configuration, selectsDatabase: !isCluster)
            state.pools[endpoint] = pool
            return pool
        }
    }

    // MARK: For tests

    /// How many `MOVED` and `ASK` redirects this router has followed.
    var redirectsFollowed: Int { state.withLock { $0.redirectsFollowed } }

    /// The node the slot map names for `slot`, if any.
    func owner(ofSlot slot: Int) -> RedisEndpoint? {
        state.withLock { state in
            let index = Int(state.owners[slot])
            return index >= 0 ? state.nodes[index] : nil
        }
    }

    /// Replaces the slot map with one that sends every slot to `endpoint` (a stale map, as after a resharding).
    func assumeEverySlot(ownedBy endpoint: RedisEndpoint) {
        state.withLock { state in
            state.nodes = [endpoint]
            state.owners = [Int16](repeating: 0, count: HashSlot.count)
            state.lastRefresh = ContinuousClock.now
        }
    }
}

/// A `MOVED` or `ASK` error reply.
struct Redirect: Equatable {
    enum Kind { case moved, ask }
    let kind: Kind
    let slot: Int
    let endpoint: RedisEndpoint

    /// Parses `MOVED <slot> <host>:<port>` or `ASK ...`; `nil` for any other reply. An empty host (Redis 7 when the
    /// node's address is unknown to it) means the node that answered.
    init?(_ reply: RedisReply, from replying: RedisEndpoint) {
        guard case .error(let message) = reply else { return nil }
        let parts = message.split(separator: " ")
        guard parts.count == 3 else { return nil }
        switch parts[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        guard let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot),
            let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
        else { return nil }
        let host = String(parts[2][..<colon])
        guard let endpoint = try? RedisEndpoint(host: host.isEmpty ? replying.host : host, port: port) else {
            return nil
        }
        self.slot = slot
        self.endpoint = endpoint
    }
}

/// One range of a `CLUSTER SLOTS` answer: `[start, end, [host, port, id, ...], replicas...]`.
struct SlotRange: Equatable {
    let slots: ClosedRange<Int>
    let owner: RedisEndpoint
    var replicas: [RedisEndpoint] = []

    /// The ranges of a `CLUSTER SLOTS` reply, or `nil` when it is not one. An empty host means `askedHost`.
    static func parse(_ reply: RedisReply, askedHost: String) -> [SlotRange]? {
        guard case .array(let entries) = reply else { return nil }
        var ranges: [SlotRange] = []
        for entry in entries {
            guard case .array(let fields) = entry, fields.count >= 3,
                case .integer(let start) = fields[0], case .integer(let end) = fields[1],
                0 <= start, start <= end, end < Int64(HashSlot.count),
                case .array(let primary) = fields[2], primary.count >= 2,
                case .string(let hostBytes) = primary[0], case .integer(let port) = primary[1]
            else { return nil }
            guard let owner = endpoint(hostBytes, port, askedHost: askedHost) else { return nil }
            // Replicas are optional extras: one that does not parse is skipped, not the whole answer.
            let replicas = fields.dropFirst(3).compactMap { field -> RedisEndpoint? in
                guard case .array(let replica) = field, replica.count >= 2,
                    case .string(let hostBytes) = replica[0], case .integer(let port) = replica[1]
                else { return nil }
                return endpoint(hostBytes, port, askedHost: askedHost)
            }
            ranges.append(SlotRange(slots: Int(start)...Int(end), owner: owner, replicas: replicas))
        }
        return ranges
    }

    /// An empty host means the node that was asked (Redis 7 when a node does not know its own address).
    private static func endpoint(_ hostBytes: [UInt8], _ port: Int64, askedHost: String) -> RedisEndpoint? {
        let host = String(decoding: hostBytes, as: UTF8.self)
        guard (1...65535).contains(port) else { return nil }
        return try? RedisEndpoint(host: host.isEmpty ? askedHost : host, port: Int(port))
    }
}
