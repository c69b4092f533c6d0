#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading a file or a pipe whole, up to a bound, into one buffer that is wiped afterwards: for key files, which
/// hold secrets, and the command line's inputs. The buffer is allocated once at its final size, so no growing array
/// leaves a copy of what was read behind.
public enum BoundedRead {
    /// Why the bytes could not be read.
    public enum Failure: Error, Sendable, Equatable {
        /// `read(2)` failed.
        case readFailed
        /// There were more than the maximum bytes.
        case tooLarge(maximum: Int)
    }

    /// Reads `descriptor` to its end, hands the bytes to `body` and wipes them when `body` returns or throws.
    /// - Throws: ``Failure`` when reading fails or finds more than `maximum` bytes (without calling `body`), or
    ///   what `body` throws.
    public static func contents<Result>(
        of descriptor: Int32, maximum: Int, _ body: (ArraySlice<UInt8>) throws -> Result
    ) throws -> Result {
        var buffer = [UInt8](repeating: 0, count: maximum + 1)
        defer { SecretBytes.wipe(&buffer) }
        var filled = 0
        while filled < buffer.count {
            let result = buffer.withUnsafeMutableBytes { whole in
                let rest = UnsafeMutableRawBufferPointer(rebasing: whole[filled...])
                return read(descriptor, rest.baseAddress, rest.count)
            }
            if result == 0 { break }
            if result < 0 {
                if errno == EINTR { continue }
                throw Failure.readFailed
            }
            filled += result
        }
        guard filled <= maximum else { throw Failure.tooLarge(maximum: maximum) }
        return try body(buffer[0..<filled])
    }
}
