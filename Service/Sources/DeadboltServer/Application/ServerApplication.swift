import Deadbolt
import DeadboltSignIn
import DeadboltTransports
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Builds the reference service from a ``ServerConfiguration``: opens the stores, reads (or makes) the keys, and
/// wires routes and middleware. Everything that can fail does so here, before the server listens.
public enum ServerApplication {
    /// The application, ready to `run()` (tests) or `runService()` (the executable, which adds signal handling).
    ///
    /// - Parameter onListening: called with the bound port once the server listens (port 0 picks one).
    /// - Throws: ``ConfigurationError`` for a bad setting, a key that cannot be read or made, or missing resources.
    public static func make(
        configuration: ServerConfiguration, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        try configuration.validate()
        let runtime = try await ServerRuntime(configuration: configuration, logger: logger)
        let router = Router(context: ServerRequestContext.self)
        runtime.addRoutes(to: router)
        // Twice the body timeout, so a trickling body gets its 408 before the idle connection is cut.
        let idleTimeout = TimeAmount.seconds(Int64(2 * Problem.seconds(configuration.requestTimeout)))
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: idleTimeout)),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: runtime.services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                runtime.origin.set(configuration.origin(boundPort: port))
                await onListening(port)
            },
            logger: logger)
    }
}

/// The server's long-lived parts, made once at start.
struct ServerRuntime: Sendable {
    let configuration: ServerConfiguration
    let logger: Logger
    let keys: ServerKeys
    let pool: HashingPool
    let store: any StateStore
    let metrics: ServerMetrics
    let pages: PageRenderer
    let bodies: RequestBodyReader
    let addressLimiter: RateLimiter
    /// The development mailbox `/dev/mailbox` reads, in development mode only.
    let mailbox: DevelopmentMailbox?
    /// The sign-in system every page and API call goes through.
    let system: SignInSystem
    /// The account store under `system`, for `/readyz`.
    let accounts: any SignInStore
    /// The public origin, known once the server has bound its port.
    let origin: OriginHolder
    /// Background services run beside the HTTP server and stopped gracefully with it.
    let services: [any Service]

    init(configuration: ServerConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        self.logger = logger
        try Self.prepareDataFolder(configuration)
        keys = try ServerKeys.load(configuration.keySources, environment: ProcessInfo.processInfo.environment)
        pool = HashingPool(
            memoryBytes: configuration.hashingMemoryBudgetBytes, admissionTimeout: configuration.hashingAdmissionTimeout
        )
        let opened = try StateStores.open(configuration.stateStore)
        store = opened.store
        metrics = ServerMetrics(pool: pool)
        pages = try PageRenderer(development: configuration.isDevelopment)
        bodies = RequestBodyReader(maximumBytes: configuration.maximumBodyBytes, timeout: configuration.requestTimeout)
        do {
            addressLimiter = try RateLimiter(store: store, limit: configuration.addressLimit, purpose: "address")
        } catch {
            throw ConfigurationError.invalidValue(setting: "--address-limit", reason: "\(error)")
        }
        origin = OriginHolder(configuration.origin(boundPort: configuration.port))
        let delivery = try DeliveryWiring(configuration: configuration)
        mailbox = delivery.mailbox
        let transport = delivery.transport
        let opening = try await SignInWiring.openStore(configuration, logger: logger)
        accounts = opening.store
        system = try await SignInWiring.system(
            configuration: configuration, store: opening.store, keys: keys, pool: pool, stateStore: store,
            metrics: metrics, publicOrigin: origin.origin, logger: logger)
        let worker = system.deliveryWorker(
            transport: CountingTransport(transport: transport, metrics: metrics),
            name: "server-\(UUID().uuidString.prefix(8))")
        let system = system
        services = [
            BackgroundLoop { await worker.run(every: .seconds(1)) },
            BackgroundLoop {
                while !Task.isCancelled {
                    _ = try? await system.purgeExpired()
                    try? await Task.sleep(for: .seconds(300))
                }
            },
            ClosingService(close: opened.close),
            ClosingService(close: opening.shutdown),
        ]
    }

    /// Creates the data folder (mode 0700) when the embedded default keeps anything there.
    static func prepareDataFolder(_ configuration: ServerConfiguration) throws(ConfigurationError) {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: configuration.dataFolder, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw .dataFolder("\(configuration.dataFolder) exists and is not a folder")
            }
            return
        }
        do {
            try manager.createDirectory(
                atPath: configuration.dataFolder, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw .dataFolder("cannot create the data folder \(configuration.dataFolder)")
        }
    }

    func addRoutes(to router: Router<ServerRequestContext>) {
        let pages = pages
        router.add(middleware: ResponseHardeningMiddleware(errorPage: { pages.problemPage($0) }))
        router.add(
            middleware: ClientAddressMiddleware(
                resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies)))
        router.add(middleware: ResponseCountingMiddleware(metrics: metrics))
        addOperationalRoutes(to: router)
        addStaticRoutes(to: router)
        addPageRoutes(to: router)
        addAPIRoutes(to: router)
    }
}

extension HashingPool {
    /// A pool with one worker a core, `memoryBytes` of Argon2 memory and `admissionTimeout`.
    convenience init(memoryBytes: Int, admissionTimeout: Duration) {
        self.init(
            workerCount: HashingPool.activeProcessorCount, memoryBudgetBytes: memoryBytes,
            admissionTimeout: admissionTimeout)
    }
}

/// The server's public origin: fixed by `--public-url`, or completed with the bound port once listening.
final class OriginHolder: Sendable {
    private let value: Mutex<String>

    init(_ origin: String) { value = Mutex(origin) }

    func set(_ origin: String) { value.withLock { $0 = origin } }

    var origin: String { value.withLock { $0 } }
}

/// Runs until shutdown, then closes what it was given (the Redis store's connections, the PostgreSQL pool).
struct ClosingService: Service {
    let close: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}

/// Counts responses by status class.
struct ResponseCountingMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: ServerRequestContext,
        next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.response(status: response.status.code)
            return response
        } catch let problem as Problem {
            metrics.response(status: problem.kind.status.code)
            throw problem
        } catch let error as HTTPError {
            metrics.response(status: error.status.code)
            throw error
        } catch {
            metrics.response(status: 500)
            throw error
        }
    }
}

extension ServerApplication {
    /// Runs the server until SIGTERM or SIGINT (then drains in-flight requests and stops its services), printing
    /// where it listens and, in development mode, where the mailbox is.
    ///
    /// - Throws: ``ConfigurationError`` before listening; whatever stops the server after.
    public static func runUntilSignalled(configuration: ServerConfiguration, logger: Logger) async throws {
        let mailbox =
            configuration.isDevelopment
            ? URL(fileURLWithPath: configuration.dataFolder).appendingPathComponent("mailbox").standardizedFileURL.path
            : nil
        let application = try await make(configuration: configuration, logger: logger) { port in
            let origin = configuration.origin(boundPort: port)
            var lines = ["Deadbolt is running: open \(origin)/ in a browser."]
            if let mailbox {
                lines.append("Development mode: messages are written to \(mailbox)/ and shown at \(origin)/dev/mailbox")
            }
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        try await application.runService()
    }
}
