import Foundation

/// A set of common and breached passwords, checked without a linear scan: each entry is kept as the 64-bit FNV-1a
/// hash of its lower-cased NFKC form, the hashes sorted, and a lookup is a binary search (17 probes for 100,000
/// entries; 8 bytes an entry).
///
/// A 64-bit hash can collide: with n entries, a password not on the list is refused with probability about
/// n / 2^64 (5e-15 for 100,000), which only errs toward refusing. The hashes need not be secret: the list is public.
///
/// The shipped list (``shipped``) and how it was derived are described in `Resources/README.md`.
public struct PasswordBlocklist: Sendable {
    private let hashes: [UInt64]

    /// A list from its entries (normalized and hashed here).
    public init(entries: some Sequence<String>) {
        hashes = Array(Set(entries.map { Self.hash($0.precomposedStringWithCompatibilityMapping.lowercased()) })).sorted()
    }

    /// A list from the shipped file format: little-endian 64-bit hashes, sorted ascending.
    /// - Throws: ``SignInError/misconfigured(_:)`` when the data is not a whole number of sorted hashes.
    public init(sortedHashes data: [UInt8]) throws {
        guard data.count % 8 == 0 else { throw SignInError.misconfigured("the password blocklist is not a whole number of 64-bit hashes") }
        var hashes: [UInt64] = []
        hashes.reserveCapacity(data.count / 8)
        for offset in stride(from: 0, to: data.count, by: 8) {
            var value: UInt64 = 0
            for index in (0..<8).reversed() { value = value << 8 | UInt64(data[offset + index]) }
            guard hashes.last.map({ $0 < value }) ?? true else {
                throw SignInError.misconfigured("the password blocklist's hashes are not sorted and distinct")
            }
            hashes.append(value)
        }
        self.hashes = hashes
    }

    /// How many entries the list holds.
    public var count: Int { hashes.count }

    /// Whether `folded` (a password already NFKC-normalized and lower-cased) is on the list.
    public func contains(_ folded: String) -> Bool {
        let target = Self.hash(folded)
        var low = 0
        var high = hashes.count
        while low < high {
            let middle = (low + high) / 2
            if hashes[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low < hashes.count && hashes[low] == target
    }

    /// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3), over the UTF-8 bytes.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The list shipped with DeadboltSignIn (see `Resources/README.md`), or an empty list if the resource is missing
    /// from the build (then ``SignInSystem`` refuses to start: see ``SignInConfiguration/validate()``).
    public static let shipped: PasswordBlocklist = {
        guard let url = Bundle.module.url(forResource: "password-blocklist", withExtension: "bin"),
            let data = try? Data(contentsOf: url),
            let list = try? PasswordBlocklist(sortedHashes: Array(data))
        else { return PasswordBlocklist(entries: []) }
        return list
    }()
}
