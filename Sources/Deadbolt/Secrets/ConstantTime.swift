import CDeadbolt

/// Comparison of secrets in time that depends only on their length.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes.
    ///
    /// The time taken depends on the lengths only, never on where the bytes first differ (OpenSSL's
    /// `CRYPTO_memcmp`). Lengths are not secret here: a tag, code or hash has a length fixed by its format, and a
    /// length mismatch returns `false` at once.
    public static func equals(_ a: some ContiguousBytes, _ b: some ContiguousBytes) -> Bool {
        a.withUnsafeBytes { first in
            b.withUnsafeBytes { second in
                guard first.count == second.count else { return false }
                guard let left = first.baseAddress, let right = second.baseAddress else { return first.count == 0 }
                return dbt_equal_ct(
                    left.assumingMemoryBound(to: UInt8.self), right.assumingMemoryBound(to: UInt8.self), first.count
                ) == 1
            }
        }
    }
}
