/// A setting the server refuses at start, with what was wrong and what would be right. Never carries a key's
/// bytes or any other secret: only names, paths and the offending non-secret text.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting's value cannot be read: `setting` names the option, `reason` says what a good value looks like.
    case invalidValue(setting: String, reason: String)
    /// Two settings that cannot be used together.
    case conflict(String)
    /// A key file or the data folder cannot be read, created or trusted.
    case keyMaterial(String)
    /// The data folder cannot be created or used.
    case dataFolder(String)
    /// A resource shipped with the server (templates, the OpenAPI document) is missing.
    case missingResource(String)

    public var description: String {
        switch self {
        case .invalidValue(let setting, let reason): "\(setting): \(reason)"
        case .conflict(let message): message
        case .keyMaterial(let message): message
        case .dataFolder(let message): message
        case .missingResource(let message): message
        }
    }
}
