// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for every parser that reads outside input, in a package of their own (depending on the engine by
// path) so that the engine's normal build never sees them. `scripts/fuzz` builds them with
// `-sanitize=fuzzer,address` into `.build-fuzz` and runs each on a seed corpus made from Vectors/.
//
// Each target is a Swift @main that hands over to libFuzzer (FuzzSupport.runFuzzer): on Linux SwiftPM points an
// executable's `main` at the module's own entry point, so libFuzzer's main cannot be used.
let engine = PackageDescription.Target.Dependency.product(name: "Deadbolt", package: "Deadbolt")

func fuzzTarget(_ name: String, _ dependencies: [PackageDescription.Target.Dependency] = []) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport", engine] + dependencies)
}

let package = Package(
    name: "DeadboltFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Deadbolt", path: "..")],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
        fuzzTarget("FuzzStoredHash"),
        fuzzTarget("FuzzOTPAuthURI"),
        fuzzTarget("FuzzBase32"),
        fuzzTarget("FuzzBase64"),
        fuzzTarget("FuzzHex"),
        fuzzTarget("FuzzVectorFile", [.product(name: "DeadboltVectors", package: "Deadbolt")]),
        fuzzTarget("FuzzRedisReply", [.product(name: "DeadboltRedis", package: "Deadbolt")]),
        fuzzTarget("FuzzPINInput"),
        fuzzTarget("FuzzPepperKeyFile"),
        fuzzTarget("FuzzSealedSecret"),
        fuzzTarget("FuzzSecurityEvent"),
    ]
)
