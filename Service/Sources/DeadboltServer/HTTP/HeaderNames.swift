import HTTPTypes

extension HTTPField.Name {
    // Names spelled once; each literal is a valid field name, so the initializer cannot fail.
    static let xForwardedFor = Self("X-Forwarded-For") ?? .via
    static let secFetchSite = Self("Sec-Fetch-Site") ?? .via
    static let referrerPolicy = Self("Referrer-Policy") ?? .via
    static let xFrameOptions = Self("X-Frame-Options") ?? .via
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy") ?? .via
    static let permissionsPolicy = Self("Permissions-Policy") ?? .via
}
