import DeadboltSignIn

/// The JSON bodies of `/api/v1` (described in `openapi.json`). Step tokens travel in bodies, never in URLs.
enum APIModels {
    struct Email: Decodable { let email: String }
    struct SignUp: Decodable {
        let email: String
        let password: String
    }
    struct StepCode: Decodable {
        let stepToken: String
        let code: String
    }
    struct StepPassword: Decodable {
        let stepToken: String
        let password: String
    }
    struct StepPIN: Decodable {
        let stepToken: String
        let pin: String
    }
    struct StepChannel: Decodable {
        let stepToken: String
        let channel: String
    }
    struct StepOnly: Decodable { let stepToken: String }
    struct SecondFactor: Decodable {
        let stepToken: String
        let method: String
        let code: String
        let rememberDevice: Bool?
    }
    struct RecoveryStep: Decodable {
        let flow: String
        let stepToken: String
        let channel: String?
        let code: String?
        let password: String?
        let pin: String?
        /// The operator's one-time re-enrollment code (Forgot password after an identity re-verification).
        let reenrollmentCode: String?
    }
    /// The id of a session to end or a device to forget.
    struct Identified: Decodable { let id: String }
    struct Reauthentication: Decodable {
        let password: String
        let pin: String
    }
    struct Reauthenticated: Encodable { let until: Int64 }
    struct NewPIN: Decodable { let pin: String }
    struct NewPassword: Decodable { let password: String }
    struct RecoveryCodes: Encodable { let codes: [String] }

    /// What comes next in a flow.
    struct Step: Encodable {
        var next: String
        var stepToken: String? = nil
        var sentTo: String? = nil
        var choices: [String]? = nil
        var session: Session? = nil
        var device: Device? = nil
    }

    struct Session: Encodable {
        let token: String
        let id: String
        let access: String
        let expiresAt: Int64
    }

    struct Device: Encodable {
        let token: String
        let expiresAt: Int64
    }

    struct Account: Encodable {
        let email: String
        let state: String
        let access: String
        let phone: String?
        let authenticators: [Authenticator]
        let recoveryCodesLeft: Int
        let identityVerifiedAt: Int64?
    }

    struct Authenticator: Encodable {
        let id: String
        let label: String
        let createdAt: Int64
    }

    struct SessionEntry: Encodable {
        let id: String
        let device: String
        let network: String?
        let createdAt: Int64
        let lastSeenAt: Int64
        let current: Bool
    }

    struct Sessions: Encodable { let sessions: [SessionEntry] }

    struct DeviceEntry: Encodable {
        let id: String
        let label: String
        let createdAt: Int64
        let lastUsedAt: Int64
        let expiresAt: Int64
    }

    struct Devices: Encodable { let devices: [DeviceEntry] }

    struct ActivityEntry: Encodable {
        let kind: String
        let at: Int64
        let device: String?
        let network: String?
    }

    struct Activity: Encodable {
        let entries: [ActivityEntry]
        let next: String?
    }
}
