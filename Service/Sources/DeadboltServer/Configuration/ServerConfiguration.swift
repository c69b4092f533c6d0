import Deadbolt

/// Everything the server needs to start, already checked: a bad value is refused here, at start, with a
/// ``ConfigurationError`` naming the setting, never at the first request.
///
/// ``embeddedDefault`` is what `deadbolt-server` runs with no flags: 127.0.0.1:8080, data in `./deadbolt-data/`
/// (SQLite, generated keys), limits in memory, messages in the development mailbox.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0 picks a free one; tests use that).
    public var port: Int
    /// The folder for the SQLite file, the generated keys and the development mailbox.
    public var dataFolder: String
    /// Where accounts live.
    public var database: DatabaseLocation
    /// Where limits, lockouts and one-time codes live.
    public var stateStore: StateStoreLocation
    /// Where each key comes from.
    public var keySources: [ServerKeys.Kind: ServerKeys.Source]
    /// Peers whose `X-Forwarded-For` is believed.
    public var trustedProxies: [AddressRange]
    /// The origin browsers see (scheme, host and port), for `Origin` checks and links in messages; `nil` means
    /// `http://HOST:PORT` with the port the server bound (tests listen on port 0).
    public var publicOrigin: String?
    /// How messages leave the server.
    public var delivery: DeliveryConfiguration
    /// Log lines as JSON objects (one a line) instead of text.
    public var jsonLogs: Bool
    /// The lowest level logged.
    public var logLevel: String
    /// Request bodies larger than this are refused (413).
    public var maximumBodyBytes: Int
    /// A request whose body has not arrived within this time is refused (408), and an idle connection is closed.
    public var requestTimeout: Duration
    /// Argon2 memory in flight at most (the hashing pool's budget).
    public var hashingMemoryBudgetBytes: Int
    /// How long a hash may wait for the pool before the request is refused with 503.
    public var hashingAdmissionTimeout: Duration
    /// Requests each client address may make to the unauthenticated endpoints: a burst, then one per interval.
    public var addressLimit: RateLimit

    /// The embedded default, with data under `dataFolder`.
    public static func embeddedDefault(dataFolder: String = "./deadbolt-data") -> ServerConfiguration {
        ServerConfiguration(
            host: "127.0.0.1", port: 8080, dataFolder: dataFolder,
            database: .sqlite(path: dataFolder + "/deadbolt.sqlite"), stateStore: .memory,
            keySources: Dictionary(
                uniqueKeysWithValues: ServerKeys.Kind.allCases.map { ($0, .dataFolder(dataFolder)) }),
            trustedProxies: [], publicOrigin: nil, delivery: .developmentMailbox,
            jsonLogs: false, logLevel: "info", maximumBodyBytes: 16_384, requestTimeout: .seconds(10),
            hashingMemoryBudgetBytes: 1 << 30, hashingAdmissionTimeout: .seconds(2),
            // Every page view of a sign-in costs a few requests; 60 at once and one a second after that lets a
            // household behind one address through and stops a script at about 3,600 an hour.
            addressLimit: RateLimit(burst: 60, interval: .seconds(1)))
    }

    /// The origin for a server bound to `port`.
    public func origin(boundPort port: Int) -> String {
        if let publicOrigin, let parsed = try? PublicOrigin(parsing: publicOrigin) { return parsed.origin }
        return "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// Whether this is development mode: messages go to the development mailbox, and `/dev/mailbox` shows them.
    public var isDevelopment: Bool {
        if case .developmentMailbox = delivery { true } else { false }
    }

    /// Checks the settings that can be checked without touching the outside world.
    ///
    /// - Throws: ``ConfigurationError`` naming the first bad setting.
    public func validate() throws(ConfigurationError) {
        guard (0...65_535).contains(port) else {
            throw .invalidValue(setting: "--port", reason: "\(port) is not a port (0 to 65535)")
        }
        guard !host.isEmpty, host.utf8.count <= 255 else {
            throw .invalidValue(setting: "--host", reason: "give an address or host name to listen on")
        }
        guard (1_024...1_048_576).contains(maximumBodyBytes) else {
            throw .invalidValue(setting: "--max-body-bytes", reason: "must be 1024 to 1048576")
        }
        if let publicOrigin { _ = try PublicOrigin(parsing: publicOrigin) }
        // /dev/mailbox shows every code the server sends: never on an address other machines can reach.
        if isDevelopment, !["127.0.0.1", "::1", "localhost"].contains(host.lowercased()) {
            throw .conflict(
                "listening on \(host) needs real delivery: pass --smtp-host (and --sms-gateway-url for text messages); the "
                    + "development mailbox, which shows codes at /dev/mailbox, listens on 127.0.0.1 or ::1 only")
        }
        if case .postgres = database {
            for (kind, source) in keySources {
                if case .dataFolder = source {
                    throw .conflict(
                        "with --database postgres://… every replica must share its keys: pass \(kind.option) or set \(kind.environmentVariable)"
                    )
                }
            }
            if stateStore == .memory {
                throw .conflict(
                    "with --database postgres://… replicas must share limits and codes: pass --redis HOST:PORT or --redis-cluster HOST:PORT,…"
                )
            }
        }
    }
}

/// Where accounts live.
public enum DatabaseLocation: Sendable, Equatable {
    /// A SQLite file (the embedded default).
    case sqlite(path: String)
    /// A PostgreSQL server, as a `postgres://user:password@host:port/database` URL (kept as given; the password in it
    /// is never printed).
    case postgres(url: String)

    /// Reads `--database`: a `postgres://` or `postgresql://` URL, or a SQLite file path (optionally `sqlite:PATH`).
    ///
    /// - Throws: ``ConfigurationError/invalidValue(setting:reason:)``.
    public init(parsing text: String) throws(ConfigurationError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard text.utf8.count <= 2048, text.contains("@") || text.split(separator: "/").count >= 3 else {
                throw .invalidValue(
                    setting: "--database", reason: "a PostgreSQL URL is postgres://USER:PASSWORD@HOST:PORT/DATABASE")
            }
            self = .postgres(url: text)
        } else {
            let path = text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text
            guard !path.isEmpty, path.utf8.count <= 4096, !path.contains("://") else {
                throw .invalidValue(setting: "--database", reason: "give postgres://… or the path of a SQLite file")
            }
            self = .sqlite(path: path)
        }
    }

    /// A description without the password.
    public var redacted: String {
        switch self {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres(let url):
            if let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://") {
                "PostgreSQL \(url[url.startIndex..<scheme.upperBound])…\(url[at...])"
            } else {
                "PostgreSQL"
            }
        }
    }
}

/// Where limits, lockouts and one-time codes live.
public enum StateStoreLocation: Sendable, Equatable {
    /// In this process's memory (one replica).
    case memory
    /// One Redis server.
    case redis(HostPort)
    /// A Redis Cluster, from any of its nodes.
    case redisCluster([HostPort])
}

/// A `host:port` pair (`[v6]:port` for IPv6).
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The host name or address.
    public let host: String
    /// The port.
    public let port: Int

    /// Parses `host:port`; `setting` names the option in the error.
    ///
    /// - Throws: ``ConfigurationError/invalidValue(setting:reason:)``.
    public init(parsing text: some StringProtocol, setting: String) throws(ConfigurationError) {
        let text = String(text)
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw .invalidValue(setting: setting, reason: "'\(text.prefix(80))' is not [ADDRESS]:PORT")
            }
            portText = rest.dropFirst()
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw .invalidValue(setting: setting, reason: "'\(text.prefix(80))' is not HOST:PORT")
            }
            host = parts[0]
            portText = parts[1]
        }
        guard !host.isEmpty, host.utf8.count <= 255, let port = Int(portText), (1...65_535).contains(port) else {
            throw .invalidValue(
                setting: setting, reason: "'\(text.prefix(80))' is not HOST:PORT with a port from 1 to 65535")
        }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The public origin (`scheme://host[:port]`), checked once.
public struct PublicOrigin: Sendable, Equatable {
    /// The origin as browsers send it in `Origin` (no trailing slash, no path).
    public let origin: String

    /// Parses an `http://` or `https://` origin without a path.
    ///
    /// - Throws: ``ConfigurationError/invalidValue(setting:reason:)``.
    public init(parsing text: String) throws(ConfigurationError) {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        let schemes = ["http://", "https://"]
        guard let scheme = schemes.first(where: { trimmed.hasPrefix($0) }) else {
            throw .invalidValue(setting: "--public-url", reason: "must start with https:// (or http:// on loopback)")
        }
        let authority = trimmed.dropFirst(scheme.count)
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@"), !authority.contains("?"),
            authority.utf8.count <= 255
        else {
            throw .invalidValue(
                setting: "--public-url", reason: "give scheme, host and port only, such as https://auth.example.gov")
        }
        origin = trimmed.lowercased()
    }
}
