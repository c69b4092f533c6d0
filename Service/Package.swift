// swift-tools-version:6.1
import PackageDescription

// The sign-in system, its account stores and the reference service: a package of its own, beside the engine at the
// repository root, so that an embedder of the engine alone never resolves, fetches or builds GRDB, postgres-nio or
// Hummingbird (measured: one package with both would pin all of them, and their dozen transitive packages, in every
// embedder's Package.resolved). Layers (../CONTRIBUTING.md): deadbolt-server (face) → DeadboltSQLite,
// DeadboltPostgres, transports (adapters) → DeadboltSignIn (system) → Deadbolt (core).
let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "DeadboltService",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DeadboltSignIn", targets: ["DeadboltSignIn"]),
        .library(name: "DeadboltSQLite", targets: ["DeadboltSQLite"]),
        .library(name: "DeadboltSignInConformance", targets: ["DeadboltSignInConformance"]),
        .library(name: "DeadboltTransports", targets: ["DeadboltTransports"]),
        .library(name: "DeadboltServer", targets: ["DeadboltServer"]),
        .executable(name: "deadbolt-server", targets: ["deadbolt-server"]),
        .library(name: "DeadboltPostgres", targets: ["DeadboltPostgres"]),
    ],
    dependencies: [
        // The engine, from this repository's root.
        .package(name: "Deadbolt", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The reference service (face): HTTP, templates, the command line, metrics and graceful shutdown.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // docs/postgres.md says why postgres-nio over a libpq shim, with the build times measured here.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Already resolved for postgres-nio; named so the PostgreSQL store can be a `Service` in a service group.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The system: accounts, flows, sessions, devices, activity, outbox, and the storage protocol. No driver,
        // no HTTP.
        .target(
            name: "DeadboltSignIn",
            dependencies: [
                .product(name: "Deadbolt", package: "Deadbolt"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Resources/README.md"],
            resources: [.copy("Resources/password-blocklist.bin")],
            swiftSettings: strictSwift
        ),
        // The storage protocol on SQLite (GRDB): the embedded default.
        .target(
            name: "DeadboltSQLite",
            dependencies: ["DeadboltSignIn", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        // The storage conformance suite, a library so that every store's tests (SQLite here, PostgreSQL in its own
        // test target) run the same cases unchanged. No dependency on a test framework: a case throws
        // `ConformanceFailure`, which the calling test reports.
        .target(
            name: "DeadboltSignInConformance",
            dependencies: ["DeadboltSignIn", .product(name: "Deadbolt", package: "Deadbolt")],
            swiftSettings: strictSwift
        ),
        // C shim over libcurl (Debian libcurl4-openssl-dev): SMTP with STARTTLS and AUTH, and HTTPS, on the
        // system's OpenSSL. Why libcurl: docs/deploy.md, "Delivery".
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // The message transports: SMTP relay, SMS gateway over HTTPS, development mailbox.
        .target(
            name: "DeadboltTransports",
            dependencies: ["DeadboltSignIn", "CCurl", .product(name: "Deadbolt", package: "Deadbolt")],
            swiftSettings: strictSwift
        ),
        // The load test's ceiling: the hashing pool alone, verifying as sign-ins do (scripts/load-test).
        .executableTarget(
            name: "deadbolt-hash-rate",
            dependencies: [.product(name: "Deadbolt", package: "Deadbolt")],
            path: "LoadTests/HashRate",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DeadboltTransportsTests",
            dependencies: [
                "DeadboltTransports", "DeadboltSignIn", "DeadboltSQLite", .product(name: "Deadbolt", package: "Deadbolt"),
            ],
            swiftSettings: strictSwift
        ),
        // The reference service as a library (configuration, keys, the application, routes, middleware, pages,
        // the JSON API, admin commands), so tests start it in-process on an ephemeral port.
        .target(
            name: "DeadboltServer",
            dependencies: [
                "DeadboltSignIn",
                "DeadboltSQLite",
                "DeadboltPostgres",
                "DeadboltTransports",
                .product(name: "Deadbolt", package: "Deadbolt"),
                .product(name: "DeadboltRedis", package: "Deadbolt"),
                .product(name: "CQRCode", package: "Deadbolt"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Templates"), .copy("Static"), .copy("openapi.json")],
            swiftSettings: strictSwift
        ),
        // The thin executable: parses the command line and runs the library.
        .executableTarget(
            name: "deadbolt-server",
            dependencies: [
                "DeadboltServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DeadboltServerTests",
            dependencies: ["DeadboltServer", "DeadboltTransports"],
            swiftSettings: strictSwift
        ),
        // The storage protocol on PostgreSQL (postgres-nio): what many replicas share.
        .target(
            name: "DeadboltPostgres",
            dependencies: [
                "DeadboltSignIn",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The pool's own error type (ConnectionPoolError), which PostgresClient passes through unwrapped.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DeadboltSignInTests",
            dependencies: [
                "DeadboltSignIn", "DeadboltSQLite", "DeadboltSignInConformance", "DeadboltPostgres",
                .product(name: "DeadboltRedis", package: "Deadbolt"),
            ],
            swiftSettings: strictSwift
        ),
    ]
)
