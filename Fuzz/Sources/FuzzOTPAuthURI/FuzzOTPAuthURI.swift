import Deadbolt
import FuzzSupport

/// otpauth:// URIs: one that parses builds back to a URI that parses equal (and builds the same text again), and
/// its generators can be made.
@main enum FuzzOTPAuthURI {
    static func main() {
        runFuzzer { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let uri = try OTPAuthURI.parse(text)
                let built = uri.uri
                guard let again = try? OTPAuthURI.parse(built) else {
                    require(false, "a built URI parses")
                    return
                }
                require(again == uri, "the built URI parses equal")
                require(again.uri == built, "building is stable")
                switch uri.kind {
                case .totp: require((try? uri.totp()) != nil, "a parsed totp URI makes a TOTP")
                case .hotp: require((try? uri.hotp()) != nil, "a parsed hotp URI makes an HOTP")
                }
            } catch let error as OTPAuthURIError {
                require(!"\(error)".isEmpty, "errors describe themselves")
            } catch {
                require(false, "only OTPAuthURIError is thrown, not \(type(of: error))")
            }
        }
    }
}
