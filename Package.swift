// swift-tools-version:6.1
import PackageDescription

// Layers (see CONTRIBUTING.md): faces (deadbolt CLI) → DeadboltVectors → Deadbolt (core) → CDeadbolt (C shims over
// libargon2 and libcrypto). Heavy dependencies (HTTP servers, database and Redis drivers) never enter `Deadbolt`.
let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Deadbolt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Deadbolt", targets: ["Deadbolt"]),
        .library(name: "DeadboltVectors", targets: ["DeadboltVectors"]),
        .library(name: "DeadboltRedis", targets: ["DeadboltRedis"]),
        // The libqrencode shim, for the reference service's authenticator enrollment page (Service/).
        .library(name: "CQRCode", targets: ["CQRCode"]),
        .executable(name: "deadbolt", targets: ["deadbolt"]),
        .executable(name: "deadbolt-bench", targets: ["DeadboltBench"]),
        .executable(name: "deadbolt-timing", targets: ["DeadboltTiming"]),
        // Test helpers, not for embedding: a library preloaded into processes under test that reports secrets
        // left in freed heap blocks, and a tool that runs the QR encoder in a process of its own.
        .library(name: "DeadboltFreedMemoryProbe", type: .dynamic, targets: ["CFreedMemoryProbe"]),
        .executable(name: "deadbolt-qrcode-encode", targets: ["QRCodeEncodeTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // Only the benchmark uses swift-crypto, as a peer to measure against; `Deadbolt` never depends on it.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C shims: adapt pointers to libargon2 (Debian libargon2-dev) and OpenSSL libcrypto (libssl-dev),
        // and hold the hot loops. Headers live in /usr/include; only the linker needs naming.
        .target(
            name: "CDeadbolt",
            linkerSettings: [.linkedLibrary("argon2"), .linkedLibrary("crypto")]
        ),
        // Deadbolt's own QR encoder (C, no library): libqrencode keeps unwiped copies of its input (an otpauth URI,
        // which holds the TOTP secret) out of the caller's reach. libqrencode remains a test reference only.
        .target(name: "CQRCode"),
        .target(
            name: "Deadbolt",
            dependencies: [
                "CDeadbolt",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .target(name: "CHiredis", linkerSettings: [.linkedLibrary("hiredis")]),
        .target(name: "DeadboltRedis", dependencies: ["Deadbolt", "CHiredis"], swiftSettings: strictSwift),
        .target(
            name: "DeadboltVectors",
            dependencies: ["Deadbolt"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "deadbolt",
            dependencies: [
                "Deadbolt",
                "DeadboltVectors",
                "CQRCode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        // The benchmark's peers called directly, so Deadbolt is measured against them on the same inputs:
        // libsodium (Debian libsodium-dev), libargon2 and OpenSSL libcrypto.
        .target(
            name: "CBenchPeers",
            path: "Benchmarks/CBenchPeers",
            linkerSettings: [.linkedLibrary("sodium"), .linkedLibrary("argon2"), .linkedLibrary("crypto")]
        ),
        .executableTarget(
            name: "DeadboltBench",
            dependencies: [
                "Deadbolt",
                "CDeadbolt",
                "CBenchPeers",
                "DeadboltRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Benchmarks/DeadboltBench",
            swiftSettings: strictSwift
        ),
        .target(name: "CFreedMemoryProbe", path: "Tests/FreedMemoryProbe"),
        .executableTarget(name: "QRCodeEncodeTool", dependencies: ["CQRCode"], path: "Tests/QRCodeEncodeTool"),
        .target(name: "CQRCodeReference", path: "Tests/QRCodeReference", linkerSettings: [.linkedLibrary("qrencode")]),
        // The dudect-style timing test of the comparisons that see secrets (scripts/timing), with the x86
        // time-stamp counter it reads.
        .target(name: "CCycleCounter", path: "Benchmarks/CCycleCounter"),
        .executableTarget(
            name: "DeadboltTiming",
            dependencies: ["Deadbolt", "CCycleCounter"],
            path: "Benchmarks/DeadboltTiming",
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "DeadboltTests",
            dependencies: ["Deadbolt", "DeadboltVectors", "CQRCode", "CQRCodeReference"],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "DeadboltRedisTests", dependencies: ["DeadboltRedis", "Deadbolt"], swiftSettings: strictSwift),
    ]
)
