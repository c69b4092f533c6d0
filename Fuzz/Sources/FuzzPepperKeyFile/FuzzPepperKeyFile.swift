import Deadbolt
import FuzzSupport

/// Pepper key files: a file that parses, written back canonically (`id:hex` a line), parses to the same keys in the
/// same order; it holds one key for each line that is neither blank nor a comment.
@main enum FuzzPepperKeyFile {
    static func main() {
        runFuzzer { bytes in
            guard let keyring = try? PepperKeyring(keyFile: bytes) else { return }
            let keys = [keyring.current] + keyring.retired
            let canonical = keys.map { key in key.id + ":" + Hex.encode(key.secret.withUnsafeBytes { Array($0) }) + "\n" }
                .joined()
            guard let again = try? PepperKeyring(keyFile: Array(canonical.utf8)) else {
                require(false, "the canonical form parses")
                return
            }
            let reread = [again.current] + again.retired
            require(reread.map(\.id) == keys.map(\.id), "the same ids in the same order")
            require(
                zip(reread, keys).allSatisfy { ConstantTime.equals($0.secret, $1.secret) }, "the same secrets")
            let lines = bytes.split(separator: UInt8(ascii: "\n")).filter { line in
                let kept = line.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
                return !kept.isEmpty && kept.first != UInt8(ascii: "#")
            }
            require(lines.count == keys.count, "one key a line")
        }
    }
}
