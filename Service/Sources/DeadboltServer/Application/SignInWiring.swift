import Deadbolt
import DeadboltPostgres
import DeadboltSQLite
import DeadboltSignIn
import Logging
import ServiceLifecycle

/// Builds the sign-in system the server runs: the account store, the hashers on the server's hashing pool (timed for
/// `/metrics`), the secrets, and the services that deliver the outbox and purge what expired.
enum SignInWiring {
    /// The account store of `configuration`, opened — for PostgreSQL connected, with its schema migrated — and what
    /// closes it.
    static func openStore(
        _ configuration: ServerConfiguration, logger: Logger
    ) async throws -> (store: any SignInStore, shutdown: @Sendable () async -> Void) {
        switch configuration.database {
        case .sqlite(let path):
            do { return (try SQLiteSignInStore(path: path), {}) } catch {
                throw ConfigurationError.invalidValue(
                    setting: "--database", reason: "cannot open the SQLite file \(path): \(error)")
            }
        case .postgres(let url):
            let postgresConfiguration: PostgresConfiguration
            do { postgresConfiguration = try PostgresConfiguration(url: url) } catch {
                throw ConfigurationError.invalidValue(setting: "--database", reason: "\(error)")
            }
            do {
                let store = try await PostgresSignInStore.start(configuration: postgresConfiguration, logger: logger)
                return (store, { await store.shutdown() })
            } catch {
                throw ConfigurationError.invalidValue(
                    setting: "--database", reason: "PostgreSQL at \(postgresConfiguration) cannot be used: \(error)")
            }
        }
    }

    static func system(
        configuration: ServerConfiguration, store: any SignInStore, keys: ServerKeys, pool: HashingPool,
        stateStore: any StateStore, metrics: ServerMetrics, publicOrigin: String, logger: Logger
    ) async throws -> SignInSystem {
        let passwordHasher: PasswordHasher
        let pinHasher: PasswordHasher
        let secrets: SignInSecrets
        do {
            passwordHasher = try PasswordHasher(for: .password, keyring: keys.pepper, pool: pool)
            pinHasher = try PasswordHasher(for: .pin, keyring: keys.pepper, pool: pool)
            secrets = try SignInSecrets(sealing: keys.sealing, serverKey: keys.codeHashing)
        } catch {
            throw ConfigurationError.keyMaterial("the keys cannot be used: \(error)")
        }
        var signInConfiguration = SignInConfiguration()
        signInConfiguration.notMeURL = publicOrigin + "/not-me"
        let events = FanOutEventSink([
            LoggingEventSink(logger: Logger(label: "deadbolt.security")), MetricsEventSink(metrics: metrics),
        ])
        do {
            return try await SignInSystem(
                store: store, stateStore: stateStore, secrets: secrets,
                passwordHasher: TimedCredentialHashing(passwordHasher, metrics: metrics),
                pinHasher: TimedCredentialHashing(pinHasher, metrics: metrics),
                configuration: signInConfiguration, events: events, logger: logger)
        } catch let error as SignInError {
            throw ConfigurationError.invalidValue(setting: "sign-in system", reason: error.description)
        }
    }
}

/// A hasher that records how long each hash and verification took, waiting for the pool included.
struct TimedCredentialHashing: CredentialHashing {
    let hasher: PasswordHasher
    let metrics: ServerMetrics

    init(_ hasher: PasswordHasher, metrics: ServerMetrics) {
        self.hasher = hasher
        self.metrics = metrics
    }

    var kind: PasswordHasher.SecretKind { hasher.kind }

    func hash(_ secret: SecretBytes) async throws -> String {
        let start = ContinuousClock.now
        defer { metrics.hashStep(ContinuousClock.now - start) }
        return try await hasher.hash(secret)
    }

    func verify(_ secret: SecretBytes, against encoded: String) async throws -> Verification {
        let start = ContinuousClock.now
        defer { metrics.hashStep(ContinuousClock.now - start) }
        return try await hasher.verify(secret, against: encoded)
    }
}

/// Counts locks from the engine's security events.
struct MetricsEventSink: SecurityEventSink {
    let metrics: ServerMetrics

    func record(_ event: SecurityEvent) async {
        if event.kind == .locked || event.kind == .hardLocked { metrics.locked() }
    }
}

/// Counts the codes the outbox delivers, by channel, then hands the message on.
struct CountingTransport: MessageTransport {
    let transport: any MessageTransport
    let metrics: ServerMetrics

    func send(_ message: OutgoingMessage) async throws {
        try await transport.send(message)
        if message.notice.carriesCode { metrics.codeSent(channel: message.channel.rawValue) }
    }
}

/// Runs `work` until graceful shutdown.
struct BackgroundLoop: Service {
    let work: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown { await work() }
    }
}
