import Deadbolt

/// One Lua script, loaded into each node's script cache with `SCRIPT LOAD` and run with `EVALSHA`.
///
/// The SHA-1 comes from the server's `SCRIPT LOAD` answer (the same on every node, since it is the SHA-1 of the
/// body), so the store carries no SHA-1 of its own.
final class RedisScript: Sendable {
    /// A name for messages and docs.
    let name: String
    /// The Lua source.
    let source: [UInt8]
    private let learnedDigest: PthreadLocked<[UInt8]?>

    init(name: String, source: String) {
        self.name = name
        self.source = Array(source.utf8)
        learnedDigest = PthreadLocked(nil)
    }

    /// The SHA-1 (40 hex characters) once any node has answered `SCRIPT LOAD`.
    var digest: [UInt8]? {
        get { learnedDigest.withLock { $0 } }
        set { learnedDigest.withLock { $0 = newValue } }
    }
}
