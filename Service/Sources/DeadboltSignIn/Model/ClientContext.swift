/// Who is asking, as far as a request tells: the address, the browser, a remembered-device token, a label.
///
/// The service builds one per request (the reference server from the connection or a trusted proxy's header and
/// its cookies). Step tokens are bound to the browser and the address; a remembered device skips the second factor.
public struct ClientContext: Sendable, Hashable {
    /// The client's address, when known. Without one, per-address limits do not apply and a step token is bound
    /// to "no address".
    public let address: NetworkAddress?
    /// An opaque per-browser identifier the service sets once (a cookie), 16 to 128 bytes: binds step tokens to
    /// the browser that started the flow. Not a secret by itself, and not a remembered device.
    public let browserID: String
    /// The remembered-device token the browser sent back, if any.
    public let rememberedDevice: DeviceToken?
    /// What the person will recognize the device by on their devices and activity pages ("Firefox on Linux"), at
    /// most ``maximumLabelLength`` bytes; longer labels are cut.
    public let deviceLabel: String

    /// The longest ``deviceLabel`` kept, in UTF-8 bytes.
    public static let maximumLabelLength = 128

    /// A context.
    /// - Throws: ``SignInError/invalidInput(field:reason:)`` when `browserID` is not 16 to 128 bytes of printable ASCII.
    public init(address: NetworkAddress?, browserID: String, rememberedDevice: DeviceToken? = nil, deviceLabel: String = "") throws {
        guard (16...128).contains(browserID.utf8.count), browserID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw SignInError.invalidInput(field: "browserID", reason: "must be 16 to 128 printable ASCII characters")
        }
        self.address = address
        self.browserID = browserID
        self.rememberedDevice = rememberedDevice
        self.deviceLabel = Self.bounded(deviceLabel)
    }

    /// The address as limits and bindings key it (its text), or `nil`.
    var addressKey: String? { address?.description }

    private static func bounded(_ text: String) -> String {
        var kept = ""
        for character in text where !character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            guard kept.utf8.count + character.utf8.count <= maximumLabelLength else { break }
            kept.append(character)
        }
        return kept
    }
}
