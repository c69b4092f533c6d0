import CDeadbolt

/// The system CSPRNG failed to produce bytes.
public enum RandomError: Error, Sendable, Equatable, CustomStringConvertible {
    /// OpenSSL's `RAND_bytes` reported failure (an unseeded or broken generator).
    case unavailable

    public var description: String { "the system random generator (OpenSSL RAND_bytes) is unavailable" }
}

/// Random bytes from OpenSSL's CSPRNG, which reseeds itself after `fork()`.
public enum SecureRandom {
    /// Fills `bytes` with random bytes.
    public static func fill(_ bytes: inout [UInt8]) throws {
        let ok = bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return true }
            return dbt_random_bytes(base, buffer.count) == 1
        }
        guard ok else { throw RandomError.unavailable }
    }

    /// `count` random bytes.
    public static func bytes(count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try fill(&bytes)
        return bytes
    }
}
