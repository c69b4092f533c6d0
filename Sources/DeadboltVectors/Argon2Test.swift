import Deadbolt

/// Deadbolt's `Argon2Test`: test `variant`, `version` (16 or 19), `password`, `salt`, `secret` and `ad` in hex
/// (the last two may be empty), `t`, `m` (KiB), `p`, `tagLength`, the expected `tag` in hex, and `encoded`, a PHC
/// string or empty. A `valid` test must produce `tag`, and its `encoded` string (if any) must verify; for an
/// `invalid` test, `encoded` must fail to parse or to verify.
public struct Argon2Test: VectorTestKind {
    public init() {}

    public var groupType: String { "Argon2Test" }

    public func run(test: VectorObject, group: VectorObject, file: VectorObject) throws -> VectorVerdict {
        .failed("Argon2Test is not wired yet")
    }
}
