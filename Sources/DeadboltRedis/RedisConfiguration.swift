import Deadbolt

/// Where a Redis server listens.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP address, 1 to 255 bytes.
    public let host: String
    /// A TCP port, 1 to 65535.
    public let port: Int

    /// An endpoint; throws ``StateStoreError/invalidArgument(_:)`` for an empty or over-long host, a host holding
    /// a NUL byte or whitespace, or a port outside 1...65535.
    public init(host: String, port: Int = 6379) throws {
        guard (1...255).contains(host.utf8.count),
            !host.utf8.contains(where: { $0 == 0 || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
        else { throw StateStoreError.invalidArgument("redis host must be 1 to 255 bytes without spaces") }
        guard (1...65535).contains(port) else {
            throw StateStoreError.invalidArgument("redis port must be 1 to 65535")
        }
        self.host = host
        self.port = port
    }

    /// `host:port`.
    public var description: String { "\(host):\(port)" }
}

/// How a ``RedisStateStore`` reaches Redis: where, as whom, and how long it waits.
///
/// The defaults keep a login from ever hanging on Redis: 250 ms to connect, 250 ms for a reply, and half a second
/// for a whole operation (queueing, a reconnect, a cluster redirect and a script reload included).
public struct RedisConfiguration: Sendable {
    /// One server, or a Redis Cluster reached through any of its nodes.
    public enum Topology: Sendable, Hashable {
        /// A single Redis server (or a proxy in front of one, such as a Sentinel-managed primary's address).
        case standalone(RedisEndpoint)
        /// A Redis Cluster: the store reads the slot map from the first seed that answers `CLUSTER SLOTS`.
        case cluster(seeds: [RedisEndpoint])
    }

    /// Where the servers are.
    public var topology: Topology
    /// The ACL user for `AUTH username password` (Redis 6+), or `nil` for the legacy `AUTH password`.
    public var username: String?
    /// The password for `AUTH`, or `nil` to skip `AUTH`. Held as ``SecretBytes`` and never logged.
    public var password: SecretBytes?
    /// The database `SELECT`ed on every connection, 0 to 15; a cluster only has database 0.
    public var database: Int
    /// How long a connection attempt may take.
    public var connectTimeout: Duration
    /// How long one read or write on a connection may block.
    public var commandTimeout: Duration
    /// How long a whole store operation may take before it throws ``StateStoreError/timeout``, waiting for a
    /// connection, reconnecting, redirects and script reloads included.
    public var operationTimeout: Duration
    /// Connections (each served by its own thread) to every node.
    public var connectionsPerNode: Int
    /// The most queued operations one connection sends in one write (pipelining).
    public var pipelineDepth: Int
    /// The first pause before reconnecting to a node that refused a connection; doubles up to ``maximumBackoff``.
    public var initialBackoff: Duration
    /// The longest pause between reconnection attempts. While a node is backing off, calls fail at once with
    /// ``StateStoreError/unavailable(reason:)`` instead of waiting.
    public var maximumBackoff: Duration

    /// A configuration with the defaults above, 4 connections per node and up to 32 pipelined operations.
    public init(
        topology: Topology,
        username: String? = nil,
        password: SecretBytes? = nil,
        database: Int = 0,
        connectTimeout: Duration = .milliseconds(250),
        commandTimeout: Duration = .milliseconds(250),
        operationTimeout: Duration = .milliseconds(500),
        connectionsPerNode: Int = 4,
        pipelineDepth: Int = 32,
        initialBackoff: Duration = .milliseconds(50),
        maximumBackoff: Duration = .seconds(1)
    ) {
        self.topology = topology
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.operationTimeout = operationTimeout
        self.connectionsPerNode = connectionsPerNode
        self.pipelineDepth = pipelineDepth
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Checks every field; throws ``StateStoreError/invalidArgument(_:)`` naming the first one out of range.
    public func validate() throws {
        switch topology {
        case .standalone: break
        case .cluster(let seeds):
            guard (1...64).contains(seeds.count) else {
                throw StateStoreError.invalidArgument("a cluster needs 1 to 64 seed endpoints")
            }
            guard database == 0 else {
                throw StateStoreError.invalidArgument("a Redis Cluster only has database 0")
            }
        }
        guard (0...15).contains(database) else { throw StateStoreError.invalidArgument("database must be 0 to 15") }
        if let username {
            guard (1...256).contains(username.utf8.count) else {
                throw StateStoreError.invalidArgument("username must be 1 to 256 bytes")
            }
            guard password != nil else { throw StateStoreError.invalidArgument("a username needs a password") }
        }
        if let password, !(1...4096).contains(password.count) {
            throw StateStoreError.invalidArgument("password must be 1 to 4096 bytes")
        }
        let oneMinute = Duration.seconds(60)
        for (name, value) in [
            ("connectTimeout", connectTimeout), ("commandTimeout", commandTimeout),
            ("operationTimeout", operationTimeout), ("initialBackoff", initialBackoff),
            ("maximumBackoff", maximumBackoff),
        ] {
            guard value >= .milliseconds(1), value <= oneMinute else {
                throw StateStoreError.invalidArgument("\(name) must be 1 ms to 60 s")
            }
        }
        guard initialBackoff <= maximumBackoff else {
            throw StateStoreError.invalidArgument("initialBackoff must be at most maximumBackoff")
        }
        guard (1...64).contains(connectionsPerNode) else {
            throw StateStoreError.invalidArgument("connectionsPerNode must be 1 to 64")
        }
        guard (1...1024).contains(pipelineDepth) else {
            throw StateStoreError.invalidArgument("pipelineDepth must be 1 to 1024")
        }
    }
}
