import Foundation

/// How a ``PostgresAccountStore`` reaches PostgreSQL: where, as whom, over what, and how long it waits.
///
/// The defaults keep a sign-in step from ever hanging on the database: 2 s to open a connection, 5 s for a whole
/// store operation (waiting for a pooled connection, every statement, serialization retries and the commit
/// included), and the same 5 s as the server's own `statement_timeout`, so a statement the store has given up on
/// does not keep running on the server either.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// Whether the connection is encrypted.
    public enum TransportSecurity: String, Sendable, CaseIterable {
        /// Plain TCP: for a server on the same host or a private network only.
        case disable
        /// TLS when the server offers it, plain TCP otherwise (libpq's default `prefer`); an active attacker can
        /// strip it, so use ``verifyFull`` across any network you do not trust.
        case prefer
        /// TLS required, the server's certificate checked against the system's trusted roots and the host name
        /// (libpq's `verify-full`; `sslmode=require` asks for this too, since a certificate that is not checked
        /// protects from nothing but a passive listener).
        case verifyFull = "verify-full"
    }

    /// A host name or IP address, 1 to 255 bytes.
    public var host: String
    /// A TCP port, 1 to 65535.
    public var port: Int
    /// The role to connect as, 1 to 63 bytes (PostgreSQL's `NAMEDATALEN` - 1).
    public var username: String
    /// The role's password, or `nil` for none; never printed (``description`` shows whether there is one).
    public var password: String?
    /// The database, 1 to 63 bytes.
    public var database: String
    /// Whether and how the connection is encrypted.
    public var transportSecurity: TransportSecurity
    /// How long opening one connection (TCP, TLS and authentication) may take.
    public var connectTimeout: Duration
    /// How long a whole store operation may take before it throws an "unavailable" error: the wait for a pooled
    /// connection, every statement, the retries of serialization failures and the commit. Also sent to the server
    /// as `statement_timeout`, and twice this as `idle_in_transaction_session_timeout`, so a replica that dies
    /// mid-transaction cannot hold row locks for longer than that.
    public var operationTimeout: Duration
    /// The most connections the pool opens (PostgreSQL's default `max_connections` is 100, shared by every
    /// replica).
    public var maximumConnections: Int
    /// How long ``PostgresSignInStore/migrate()`` may take, the wait for another replica's migration and for a
    /// server that is still starting included.
    public var migrationTimeout: Duration
    /// How many times a transaction that lost a serialization conflict (SQLSTATE 40001) or a deadlock (40P01) is
    /// run again before the store gives up with a conflict error; every retry stays within ``operationTimeout``.
    public var serializationRetries: Int

    /// The longest `postgres://` URL ``init(url:)`` reads.
    public static let maximumURLLength = 2048

    /// A configuration; throws ``PostgresConfigurationError`` for a host, user or database name that is empty,
    /// over-long or holds a NUL byte, a port outside 1...65535, a timeout that is not positive, a pool of fewer
    /// than 1 or more than 1000 connections, or more than 100 retries.
    public init(
        host: String,
        port: Int = 5432,
        username: String,
        password: String?,
        database: String,
        transportSecurity: TransportSecurity = .prefer,
        connectTimeout: Duration = .seconds(2),
        operationTimeout: Duration = .seconds(5),
        maximumConnections: Int = 20,
        serializationRetries: Int = 10,
        migrationTimeout: Duration = .seconds(120)
    ) throws {
        try Self.check(host, "host", maximumBytes: 255)
        try Self.check(username, "user name", maximumBytes: 63)
        try Self.check(database, "database name", maximumBytes: 63)
        if let password, password.utf8.count > 1024 || password.utf8.contains(0) {
            throw PostgresConfigurationError.invalid("the password must be at most 1024 bytes without NUL")
        }
        guard (1...65535).contains(port) else { throw PostgresConfigurationError.invalid("the port must be 1 to 65535") }
        guard connectTimeout > .zero, operationTimeout > .zero, migrationTimeout > .zero else {
            throw PostgresConfigurationError.invalid("timeouts must be positive")
        }
        guard (1...1000).contains(maximumConnections) else {
            throw PostgresConfigurationError.invalid("the pool must have 1 to 1000 connections")
        }
        guard (0...100).contains(serializationRetries) else {
            throw PostgresConfigurationError.invalid("serialization retries must be 0 to 100")
        }
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.transportSecurity = transportSecurity
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.maximumConnections = maximumConnections
        self.serializationRetries = serializationRetries
        self.migrationTimeout = migrationTimeout
    }

    /// A configuration from a libpq-style URL, `postgres://user:password@host:port/database?sslmode=…` (or
    /// `postgresql://`), with percent-encoded user, password and database, and the other settings at their
    /// defaults. `sslmode` may be `disable`, `prefer` (the default), `require` or `verify-full` (both meaning
    /// ``TransportSecurity/verifyFull``). Throws ``PostgresConfigurationError`` for another scheme, a URL without a
    /// user, host or database, an unknown query parameter or `sslmode`, or anything ``init(host:port:username:password:database:transportSecurity:connectTimeout:operationTimeout:maximumConnections:serializationRetries:migrationTimeout:)``
    /// refuses; the error never repeats the password.
    public init(url: String) throws {
        guard url.utf8.count <= Self.maximumURLLength else {
            throw PostgresConfigurationError.invalid("the URL is longer than \(Self.maximumURLLength) bytes")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw PostgresConfigurationError.invalid("the URL must look like postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresConfigurationError.invalid("the URL names no host")
        }
        guard let username = components.user, !username.isEmpty else {
            throw PostgresConfigurationError.invalid("the URL names no user")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw PostgresConfigurationError.invalid("the URL names no database") }
        var transportSecurity = TransportSecurity.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw PostgresConfigurationError.invalid("unknown URL parameter '\(item.name.prefix(32))' (only sslmode)")
            }
            switch item.value {
            case "disable": transportSecurity = .disable
            case "prefer": transportSecurity = .prefer
            case "require", "verify-full": transportSecurity = .verifyFull
            default: throw PostgresConfigurationError.invalid("sslmode must be disable, prefer, require or verify-full")
            }
        }
        try self.init(
            host: host, port: components.port ?? 5432, username: username,
            password: components.password, database: database,
            transportSecurity: transportSecurity)
    }

    /// `postgres://user:•••@host:port/database`, with the password masked.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":•••")@\(host):\(port)/\(database)"
            + "?sslmode=\(transportSecurity.rawValue)"
    }

    private static func check(_ value: String, _ name: String, maximumBytes: Int) throws {
        guard (1...maximumBytes).contains(value.utf8.count), !value.utf8.contains(0) else {
            throw PostgresConfigurationError.invalid("the \(name) must be 1 to \(maximumBytes) bytes without NUL")
        }
    }
}

/// A ``PostgresConfiguration`` that cannot be used; the message says what is wrong and never holds the password.
public enum PostgresConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is out of range or the URL is malformed; the reason says which and what is allowed.
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid PostgreSQL configuration: \(reason)"
        }
    }
}
