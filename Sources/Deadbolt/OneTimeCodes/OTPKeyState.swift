import CDeadbolt

/// The HMAC pad states of one OTP secret (see `dbt_otp.h`), in memory this object owns and wipes on release.
///
/// Absorbing the secret once means a window of `n` steps costs `2n` compression-function calls and no allocation.
/// The states are as good as the secret: they never leave this object, which prints nothing of them.
final class OTPKeyState: @unchecked Sendable {
    // Written once in init, then only read by the C shim through a const pointer, so sharing is safe.
    private let state: UnsafeMutableRawPointer
    private let size: Int

    init(secret: some ContiguousBytes, hash: HashFunction) throws {
        let length = secret.withUnsafeBytes { $0.count }
        guard HOTP.secretLengths.contains(length) else {
            throw OTPError.secretLength(minimum: HOTP.secretLengths.lowerBound, maximum: HOTP.secretLengths.upperBound)
        }
        let size = dbt_otp_key_size()
        let state = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        let ok = secret.withUnsafeBytes { secret in
            guard let base = secret.bytePointer else { return false }
            return dbt_otp_key_init(state, hash.shimValue, base, secret.count) == 1
        }
        // Fail before any stored property is set: a class init that throws after them would run deinit too.
        guard ok else {
            dbt_cleanse(state, size)
            state.deallocate()
            throw OTPError.libcryptoFailure
        }
        self.size = size
        self.state = state
    }

    deinit {
        dbt_cleanse(state, size)
        state.deallocate()
    }

    /// The HOTP value at `counter` as an integer below 10^digits.
    func value(counter: UInt64, digits: Int) throws -> UInt32 {
        var code: UInt32 = 0
        guard dbt_otp_code(state, counter, UInt32(digits), &code) == 1 else { throw OTPError.libcryptoFailure }
        return code
    }

    /// The smallest `i` in `0..<count` whose counters `first + i ...` produce `codes` in order, compared over the
    /// whole range in constant time; `nil` when none does. The caller keeps `first + count + codes.count - 2`
    /// within `UInt64`.
    func find(_ codes: [UInt32], first: UInt64, count: UInt64, digits: Int) throws -> UInt64? {
        let (found, index) = try search(codes, first: first, count: count, digits: digits)
        return found ? index : nil
    }

    /// ``find(_:first:count:digits:)`` without an optional: whether some `i` matched and the smallest that did
    /// (0 when none did), so a caller can do the same work either way.
    func search(_ codes: [UInt32], first: UInt64, count: UInt64, digits: Int) throws -> (found: Bool, index: UInt64) {
        var index: UInt64 = 0
        let found = codes.withUnsafeBufferPointer { codes in
            dbt_otp_find(state, first, count, UInt32(digits), codes.baseAddress, UInt32(codes.count), &index)
        }
        guard found >= 0 else { throw OTPError.libcryptoFailure }
        return (found == 1, index)
    }
}
