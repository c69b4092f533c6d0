import Deadbolt
import FuzzSupport

/// Sealed TOTP secrets as a database returns them: any text either unseals or is refused with a typed error, and
/// since the fuzzer cannot forge AES-GCM, text it made never unseals. A secret and account it makes seal and unseal
/// back to the same secret, and only for the same account.
@main enum FuzzSealedSecret {
    static let keyring = try! SealingKeyring(
        current: SealingKey(id: "k2", key: SecretBytes([UInt8](repeating: 0x42, count: 32))),
        retired: [SealingKey(id: "k1", key: SecretBytes([UInt8](repeating: 0x17, count: 32)))])

    static func main() {
        runFuzzer { bytes in
            let parts = fields(bytes, count: 2)
            let account = String(decoding: parts.count > 1 ? parts[1] : [], as: UTF8.self)
            do {
                _ = try keyring.unseal(String(decoding: bytes, as: UTF8.self), account: account)
                require(false, "fuzzer-made text unsealed")
            } catch is SealedSecretError {
            } catch {
                require(false, "only SealedSecretError is thrown, not \(type(of: error))")
            }
            let secret = parts[0]
            guard let sealed = try? keyring.seal(secret, account: account) else { return }
            guard let unsealed = try? keyring.unseal(sealed, account: account) else {
                require(false, "a sealed secret unseals")
                return
            }
            require(ConstantTime.equals(unsealed.secret, secret), "unsealing gives the secret back")
            require(!unsealed.wasUnderRetiredKey, "sealed under the current key")
            require((try? keyring.unseal(sealed, account: account + "x")) == nil, "only for the same account")
        }
    }
}
