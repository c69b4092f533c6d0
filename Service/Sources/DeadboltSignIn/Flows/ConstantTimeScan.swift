import Deadbolt

/// Finds a digest among stored ones by comparing it with every one of them: no early exit, no branch and no index
/// on whether (or where) a comparison matched until the scan is over. A search that stops at the first match tells
/// a timing observer where the match sat, and a branch per comparison leaks through the branch predictor.
enum ConstantTimeScan {
    /// The position of the first of `candidates` equal to `digest`, or `nil`. Every candidate is compared with
    /// ``Deadbolt/ConstantTime/equals(_:_:)`` (`equals` exists so a test can count the comparisons); the result is
    /// accumulated with masks and acted on once, after the scan.
    static func firstMatch(
        of digest: [UInt8], in candidates: [[UInt8]], equals: ([UInt8], [UInt8]) -> Bool = { ConstantTime.equals($0, $1) }
    ) -> Int? {
        var found = 0
        var position = 0
        for (index, candidate) in candidates.enumerated() {
            // A Bool is one byte holding 0 or 1: reading it as a number needs no branch.
            let equal = Int(unsafeBitCast(equals(candidate, digest), to: UInt8.self))
            // All ones when this candidate matches and none matched before; zero otherwise.
            let take = (0 &- equal) & (found &- 1)
            position |= index & take
            found |= equal
        }
        return found == 1 ? position : nil
    }
}
