import Deadbolt
import FuzzSupport

/// Stored hashes in every format Deadbolt reads (PHC Argon2 and PBKDF2, passlib, Django, and what libsodium,
/// argon2-cffi and the argon2 tool write): a PHC string that parses is canonical (it re-encodes to itself); a
/// stored hash of any format re-encodes to a PHC string that parses to the same hash.
@main enum FuzzStoredHash {
    static func main() {
        runFuzzer { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if let phc = try? PHCString(parsing: text) {
                require(phc.description == text, "a PHC string that parses is its own canonical text")
                require((try? PHCString(parsing: phc.description)) == phc, "the canonical text parses back")
            }
            do {
                let stored = try StoredHash(parsing: text)
                let encoded = stored.encoded
                guard let again = try? StoredHash(parsing: encoded) else {
                    require(false, "the PHC form of a parsed hash parses")
                    return
                }
                var expected = stored
                expected.format = .phc
                require(again == expected, "the PHC form parses to the same hash")
                if stored.format == .phc, text.contains("$v=") || text.hasPrefix("$pbkdf2") {
                    require(encoded == text, "a PHC hash with its version written re-encodes to itself")
                }
                if case .argon2(let parameters) = stored.algorithm {
                    require((try? parameters.validate()) != nil, "parsed Argon2 parameters are within bounds")
                }
            } catch let error as HashingError {
                require(!"\(error)".isEmpty, "errors describe themselves")
            } catch {
                require(false, "only HashingError is thrown, not \(type(of: error))")
            }
        }
    }
}
