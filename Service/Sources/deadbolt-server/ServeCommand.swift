import ArgumentParser
import Deadbolt
import DeadboltServer
import Foundation
import Logging

/// Runs the server until SIGTERM or SIGINT, then shuts down gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the server (the default command).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let configuration = try options.configuration()
        let json = configuration.jsonLogs
        LoggingSystem.bootstrap { label in
            json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
        var logger = Logger(label: "deadbolt.server")
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        do {
            try await ServerApplication.runUntilSignalled(configuration: configuration, logger: logger)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Every setting of the server, each with its default and its environment variable where it has one.
struct ServerOptions: ParsableArguments {
    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8080

    @Option(
        name: .customLong("data"), help: "The data folder: the SQLite file, generated keys and the development mailbox."
    )
    var dataFolder = "./deadbolt-data"

    @Option(
        help:
            "Where accounts live: postgres://USER:PASSWORD@HOST:PORT/DATABASE, or a SQLite file path. Default: DATA/deadbolt.sqlite. Also $DEADBOLT_DATABASE."
    )
    var database: String?

    @Option(help: "One Redis server for limits, lockouts and codes (HOST:PORT). Default: in this process's memory.")
    var redis: String?

    @Option(
        name: .customLong("redis-cluster"), help: "A Redis Cluster instead: HOST:PORT,HOST:PORT,… (any of its nodes).")
    var redisCluster: String?

    @Option(
        name: .customLong("pepper-file"),
        help:
            "The pepper for PINs and passwords: 'id:hex' lines, current first. Also $DEADBOLT_PEPPER_KEYS. Default: made in the data folder (SQLite only)."
    )
    var pepperFile: String?

    @Option(
        name: .customLong("sealing-file"),
        help: "The AES-256-GCM keys for secrets at rest ('id:hex' lines, 32 bytes each). Also $DEADBOLT_SEALING_KEYS.")
    var sealingFile: String?

    @Option(
        name: .customLong("code-hashing-file"),
        help: "The key for one-time and recovery codes ('id:hex'). Also $DEADBOLT_CODE_HASHING_KEYS.")
    var codeHashingFile: String?

    @Option(
        name: .customLong("cookie-file"),
        help: "The key for the server's cookies ('id:hex'). Also $DEADBOLT_COOKIE_KEYS.")
    var cookieFile: String?

    @Option(
        name: .customLong("trusted-proxy"),
        help: "A proxy (address or CIDR block) whose X-Forwarded-For is believed; repeat for several. Default: none.")
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("public-url"),
        help:
            "The origin browsers see, such as https://auth.example.gov (Origin checks, links in messages). Default: http://HOST:PORT."
    )
    var publicURL: String?

    @Option(name: .customLong("log-format"), help: "Log lines as text or json (one object a line).")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("max-body-bytes"), help: "The largest request body accepted (1024 to 1048576).")
    var maximumBodyBytes = 16_384

    @Option(
        name: .customLong("request-timeout"),
        help: "Seconds a request body may take to arrive, and an idle connection may stay open (1 to 300).")
    var requestTimeoutSeconds = 10

    @Option(
        name: .customLong("hashing-memory-mib"),
        help: "Argon2 memory in flight at most, in MiB (the hashing pool's budget; 64 to 65536).")
    var hashingMemoryMiB = 1_024

    @Option(
        name: .customLong("hashing-wait-ms"),
        help:
            "How long a sign-in may wait for the hashing pool before the answer is 503 with Retry-After (10 to 60000).")
    var hashingWaitMilliseconds = 2_000

    @Option(
        name: .customLong("address-burst"),
        help: "Requests one client address may make at once to unauthenticated endpoints (1 to 100000).")
    var addressBurst = 60

    @Option(
        name: .customLong("address-refill-ms"),
        help: "Milliseconds for one more such request to be allowed (1 to 3600000).")
    var addressRefillMilliseconds = 1_000

    @Option(
        name: .customLong("smtp-host"),
        help: "The SMTP relay for email (name or address). Without it and --sms-gateway-url: the development mailbox.")
    var smtpHost: String?

    @Option(name: .customLong("smtp-port"), help: "The relay's port: 587 (STARTTLS), 465 (implicit TLS), 25.")
    var smtpPort = 587

    @Option(
        name: .customLong("smtp-tls"),
        help:
            "required (STARTTLS or nothing is sent), optional, none, or implicit (smtps). Credentials need required or implicit."
    )
    var smtpTLS = "required"

    @Option(name: .customLong("smtp-user"), help: "The user name for SMTP AUTH.")
    var smtpUser: String?

    @Option(
        name: .customLong("smtp-password-file"),
        help: "A file holding the SMTP password (first line). Also $DEADBOLT_SMTP_PASSWORD.")
    var smtpPasswordFile: String?

    @Option(
        name: .customLong("smtp-ca-file"),
        help: "A PEM file of the CAs that may sign the relay's certificate. Default: the system's.")
    var smtpCAFile: String?

    @Option(
        name: .customLong("mail-from"),
        help: "The From of every email, such as 'Agency sign-in <no-reply@example.gov>'. Required with --smtp-host.")
    var mailFrom: String?

    @Option(
        name: .customLong("sms-gateway-url"),
        help: "The SMS provider's endpoint (https://; the JSON body is in docs/deploy.md).")
    var smsGatewayURL: String?

    @Option(
        name: .customLong("sms-gateway-key-file"),
        help: "A file holding the gateway's bearer key (first line). Also $DEADBOLT_SMS_GATEWAY_KEY.")
    var smsGatewayKeyFile: String?

    @Option(name: .customLong("sms-sender"), help: "The sender name or number the SMS provider shows.")
    var smsSender: String?

    @Option(
        name: .customLong("sms-ca-file"),
        help: "A PEM file of the CAs that may sign the gateway's certificate. Default: the system's.")
    var smsCAFile: String?

    /// The checked configuration.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ServerConfiguration
    {
        do {
            return try build(environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
    }

    private func build(environment: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        var configuration = ServerConfiguration.embeddedDefault(dataFolder: dataFolder)
        configuration.host = host
        configuration.port = port
        if let database = database ?? environment["DEADBOLT_DATABASE"] {
            configuration.database = try DatabaseLocation(parsing: database)
        }
        switch (redis, redisCluster) {
        case (.some, .some):
            throw .conflict("pass --redis or --redis-cluster, not both")
        case (.some(let single), nil):
            configuration.stateStore = .redis(try HostPort(parsing: single, setting: "--redis"))
        case (nil, .some(let nodes)):
            var seeds: [HostPort] = []
            for node in nodes.split(separator: ",") {
                seeds.append(try HostPort(parsing: node, setting: "--redis-cluster"))
            }
            guard !seeds.isEmpty, seeds.count <= 64 else {
                throw .invalidValue(setting: "--redis-cluster", reason: "give 1 to 64 HOST:PORT nodes")
            }
            configuration.stateStore = .redisCluster(seeds)
        case (nil, nil):
            configuration.stateStore = .memory
        }
        let files: [ServerKeys.Kind: String?] = [
            .pepper: pepperFile, .sealing: sealingFile, .codeHashing: codeHashingFile, .cookie: cookieFile,
        ]
        for kind in ServerKeys.Kind.allCases {
            if let file = files[kind] ?? nil {
                configuration.keySources[kind] = .file(file)
            } else if environment[kind.environmentVariable] != nil {
                configuration.keySources[kind] = .environment(kind.environmentVariable)
            } else {
                configuration.keySources[kind] = .dataFolder(dataFolder)
            }
        }
        configuration.trustedProxies = []
        for text in trustedProxies { configuration.trustedProxies.append(try AddressRange(parsing: text)) }
        configuration.publicOrigin = publicURL
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw .invalidValue(
                setting: "--log-level", reason: "use trace, debug, info, notice, warning, error or critical")
        }
        configuration.logLevel = logLevel
        configuration.jsonLogs = logFormat == .json
        configuration.maximumBodyBytes = maximumBodyBytes
        guard (1...300).contains(requestTimeoutSeconds) else {
            throw .invalidValue(setting: "--request-timeout", reason: "must be 1 to 300 seconds")
        }
        configuration.requestTimeout = .seconds(requestTimeoutSeconds)
        guard (64...65_536).contains(hashingMemoryMiB) else {
            throw .invalidValue(setting: "--hashing-memory-mib", reason: "must be 64 to 65536")
        }
        configuration.hashingMemoryBudgetBytes = hashingMemoryMiB << 20
        guard (10...60_000).contains(hashingWaitMilliseconds) else {
            throw .invalidValue(setting: "--hashing-wait-ms", reason: "must be 10 to 60000")
        }
        configuration.hashingAdmissionTimeout = .milliseconds(hashingWaitMilliseconds)
        guard (1...100_000).contains(addressBurst), (1...3_600_000).contains(addressRefillMilliseconds) else {
            throw .invalidValue(
                setting: "--address-burst/--address-refill-ms", reason: "out of range (1 to 100000; 1 to 3600000)")
        }
        configuration.addressLimit = RateLimit(burst: addressBurst, interval: .milliseconds(addressRefillMilliseconds))
        var delivery = DeliveryOptions()
        delivery.smtpHost = smtpHost
        delivery.smtpPort = smtpPort
        delivery.smtpTLS = smtpTLS
        delivery.smtpUser = smtpUser
        delivery.smtpPasswordFile = smtpPasswordFile
        delivery.smtpCAFile = smtpCAFile
        delivery.mailFrom = mailFrom
        delivery.smsGatewayURL = smsGatewayURL
        delivery.smsGatewayKeyFile = smsGatewayKeyFile
        delivery.smsSender = smsSender
        delivery.smsCAFile = smsCAFile
        configuration.delivery = try delivery.configuration(environment: environment)
        try configuration.validate()
        return configuration
    }
}
