import DeadboltSignIn
import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let deadboltClient = Self("Deadbolt-Client") ?? .via
    static let deadboltDevice = Self("Deadbolt-Device") ?? .via
    static let csrfToken = Self("X-CSRF-Token") ?? .via
}

extension ServerRuntime {
    /// The JSON API under `/api/v1`: the same flows as the pages, answers as JSON, errors as RFC 9457 problems,
    /// bearer session tokens (or the session cookie plus `X-CSRF-Token`). Described by `openapi.json`, served at
    /// `/api/v1/openapi.json`.
    func addAPIRoutes(to router: Router<ServerRequestContext>) {
        let openAPI = pages.openAPIDocument
        router.get("/api/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(bytes: openAPI))
            )
        }
        let open = router.group("/api/v1")
            .add(middleware: AddressLimitMiddleware(limiter: addressLimiter, metrics: metrics))
            .add(middleware: OriginCheckMiddleware(publicOrigin: origin))
        open.post("/sign-up") { request, context in
            let body = try await bodies.json(APIModels.SignUp.self, request)
            let client = try apiClient(request, context)
            return try await json(
                signUpStep(
                    try await mappingErrors {
                        try await system.signUp.start(email: body.email, password: body.password, client: client)
                    }))
        }
        open.post("/sign-up/confirm") { request, context in
            let body = try await bodies.json(APIModels.StepCode.self, request)
            let client = try apiClient(request, context)
            return try await json(
                signUpStep(
                    try await mappingErrors {
                        try await system.signUp.confirmEmail(
                            try Self.stepToken(body.stepToken), code: body.code, client: client)
                    }))
        }
        open.post("/sign-in") { request, context in
            let body = try await bodies.json(APIModels.Email.self, request)
            let client = try apiClient(request, context)
            return try await json(
                signInStep(try await mappingErrors { try await system.signIn.start(email: body.email, client: client) })
            )
        }
        open.post("/sign-in/password") { request, context in
            let body = try await bodies.json(APIModels.StepPassword.self, request)
            let client = try apiClient(request, context)
            return try await json(
                signInStep(
                    try await mappingErrors {
                        try await system.signIn.submitPassword(
                            try Self.stepToken(body.stepToken), password: body.password, client: client)
                    }))
        }
        open.post("/sign-in/pin") { request, context in
            let body = try await bodies.json(APIModels.StepPIN.self, request)
            let client = try apiClient(request, context)
            return try await json(
                signInStep(
                    try await mappingErrors {
                        try await system.signIn.submitPIN(
                            try Self.stepToken(body.stepToken), pin: body.pin, client: client)
                    }))
        }
        open.post("/sign-in/new-pin") { request, context in
            let body = try await bodies.json(APIModels.StepPIN.self, request)
            let client = try apiClient(request, context)
            return try await json(
                signInStep(
                    try await mappingErrors {
                        try await system.signIn.setFirstPIN(
                            try Self.stepToken(body.stepToken), pin: body.pin, client: client)
                    }))
        }
        open.post("/sign-in/second-factor/send") { request, context in
            let body = try await bodies.json(APIModels.StepChannel.self, request)
            let client = try apiClient(request, context)
            let channel = try Self.channel(body.channel)
            return try await json(
                signInStep(
                    try await mappingErrors {
                        try await system.signIn.sendSecondFactorCode(
                            try Self.stepToken(body.stepToken), via: channel, client: client)
                    }))
        }
        open.post("/sign-in/second-factor") { request, context in
            let body = try await bodies.json(APIModels.SecondFactor.self, request)
            let client = try apiClient(request, context)
            let proof: SecondFactorProof
            switch body.method {
            case "sent": proof = .sentCode(body.code)
            case "app": proof = .authenticatorCode(body.code)
            case "recovery": proof = .recoveryCode(body.code)
            default: throw Problem(.invalidField, "method is sent, app or recovery.", field: "method")
            }
            return try await json(
                signInStep(
                    try await mappingErrors {
                        try await system.signIn.submitSecondFactor(
                            try Self.stepToken(body.stepToken), proof: proof,
                            rememberDevice: body.rememberDevice ?? false, client: client)
                    }))
        }
        for (path, kind) in [("/forgot-pin", RecoveryKind.pin), ("/forgot-password", .password), ("/not-me", .notMe)] {
            open.post(RouterPath(path)) { request, context in
                let body = try await bodies.json(APIModels.Email.self, request)
                let client = try apiClient(request, context)
                return try await json(
                    recoveryStep(
                        try await mappingErrors {
                            try await flow(kind).start(
                                email: body.email, client: client, origin: kind == .notMe ? .notMe : .forgotten)
                        }))
            }
        }
        open.post("/recovery") { request, context in
            let body = try await bodies.json(APIModels.RecoveryStep.self, request)
            let client = try apiClient(request, context)
            guard let kind = RecoveryKind(rawValue: body.flow) else {
                throw Problem(.invalidField, "flow is pin, password or not-me.", field: "flow")
            }
            let token = try Self.stepToken(body.stepToken)
            let recovery = flow(kind)
            return try await json(
                recoveryStep(
                    try await mappingErrors {
                        if let channel = body.channel {
                            return try await recovery.sendCode(token, via: try Self.channel(channel), client: client)
                        }
                        if let code = body.code {
                            return try await recovery.submitCode(token, code: code, client: client)
                        }
                        if let password = body.password {
                            return try await recovery.submitPassword(token, password: password, client: client)
                        }
                        if let pin = body.pin { return try await recovery.submitPIN(token, pin: pin, client: client) }
                        if let code = body.reenrollmentCode {
                            return try await recovery.submitReenrollmentCode(token, code: code, client: client)
                        }
                        throw Problem(
                            .invalidField, "Give one of channel, code, password, pin or reenrollmentCode.",
                            field: "stepToken")
                    }))
        }
        open.post("/recovery/new-pin") { request, context in
            let body = try await bodies.json(APIModels.RecoveryStep.self, request)
            let client = try apiClient(request, context)
            guard let kind = RecoveryKind(rawValue: body.flow), let pin = body.pin else {
                throw Problem(.invalidField, "Give flow and pin.", field: "pin")
            }
            return try await json(
                recoveryStep(
                    try await mappingErrors {
                        try await flow(kind).setNewPIN(try Self.stepToken(body.stepToken), pin: pin, client: client)
                    }))
        }
        open.post("/recovery/new-password") { request, context in
            let body = try await bodies.json(APIModels.RecoveryStep.self, request)
            let client = try apiClient(request, context)
            guard let kind = RecoveryKind(rawValue: body.flow), let password = body.password else {
                throw Problem(.invalidField, "Give flow and password.", field: "password")
            }
            return try await json(
                recoveryStep(
                    try await mappingErrors {
                        try await flow(kind).setNewPassword(
                            try Self.stepToken(body.stepToken), password: password, client: client)
                    }))
        }
        addAPIAccountRoutes(to: router.group("/api/v1").add(middleware: OriginCheckMiddleware(publicOrigin: origin)))
    }

    /// The client of an API call: `Deadbolt-Client` (16 to 128 printable characters, chosen once per client
    /// installation; step tokens are bound to it), else the browser cookie.
    func apiClient(_ request: Request, _ context: ServerRequestContext) throws -> ClientContext {
        guard let id = request.headers[.deadboltClient] ?? BrowserCookie.browser.value(in: request) else {
            throw Problem(
                .badRequest, "Send a Deadbolt-Client header: 16 to 128 printable characters that identify this client.",
                field: "Deadbolt-Client")
        }
        do {
            return try clientContext(
                request, context, browserID: id,
                device: request.headers[.deadboltDevice] ?? BrowserCookie.device.value(in: request))
        } catch let error as SignInError {
            throw Self.problem(for: error)
        }
    }

    static func stepToken(_ text: String) throws -> StepToken {
        guard let token = StepToken(text: text) else {
            throw Problem(.stepExpired, "This step token is not valid. Start the flow again.", field: "stepToken")
        }
        return token
    }

    static func channel(_ text: String) throws -> CodeChannel {
        switch text {
        case "email": .email
        case "phone": .phone
        default: throw Problem(.invalidField, "channel is email or phone.", field: "channel")
        }
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: .init(bytes: try encoder.encode(value))))
    }

    func signUpStep(_ answer: SignUpAnswer) throws -> APIModels.Step {
        switch answer {
        case .confirmEmail(let token, let destination):
            return .init(next: "confirm-email", stepToken: token.text, sentTo: Self.text(destination))
        case .accountCreated: return .init(next: "sign-in")
        case .passwordRefused(let violations):
            throw Problem.refused(violations)
        case .wrongCode: throw Problem(.wrongCredentials, "That code is not right, or it has expired.", field: "code")
        case .locked(let retryAfter):
            throw Problem(.locked, "Too many wrong codes.", retryAfterSeconds: retryAfter.map(Problem.seconds))
        case .tryLater(let retryAfter):
            throw Problem(.rateLimited, "Try again later.", retryAfterSeconds: Problem.seconds(retryAfter))
        }
    }

    func signInStep(_ answer: SignInAnswer) throws -> APIModels.Step {
        switch answer {
        case .needPassword(let token): return .init(next: "password", stepToken: token.text)
        case .needPIN(let token): return .init(next: "pin", stepToken: token.text)
        case .needNewPIN(let token): return .init(next: "new-pin", stepToken: token.text)
        case .needSecondFactor(let token, let choices):
            return .init(
                next: "second-factor", stepToken: token.text,
                choices: choices.map { choice in
                    switch choice {
                    case .email: "email"
                    case .textMessage: "phone"
                    case .authenticatorApp: "app"
                    case .recoveryCode: "recovery"
                    }
                })
        case .codeSent(let token, let destination):
            return .init(next: "code", stepToken: token.text, sentTo: Self.text(destination))
        case .signedIn(let grant):
            metrics.signIn(.succeeded)
            return .init(
                next: "signed-in",
                session: .init(
                    token: grant.token.text, id: grant.session.id.rawValue, access: grant.session.access.rawValue,
                    expiresAt: grant.session.expiresAt.millisecondsSinceEpoch),
                device: grant.rememberedDevice.map {
                    .init(token: $0.token.text, expiresAt: $0.expiresAt.millisecondsSinceEpoch)
                })
        case .wrongPassword:
            metrics.signIn(.wrongPassword)
            throw Problem(.wrongCredentials, "The email or password is not right.", field: "password")
        case .wrongPIN:
            metrics.signIn(.wrongPIN)
            throw Problem(.wrongCredentials, "That PIN is not right.", field: "pin")
        case .wrongCode:
            metrics.signIn(.wrongSecondFactor)
            throw Problem(
                .wrongCredentials, "That code is not right, or it has expired or was already used.", field: "code")
        case .pinRefused(let violations):
            throw Problem.refused(violations)
        case .locked(let retryAfter):
            metrics.signIn(.locked)
            throw Problem.locked(retryAfter: retryAfter)
        case .hardLocked:
            metrics.signIn(.locked)
            throw Problem(.locked, "This account is locked until its PIN is reset.")
        case .tryLater(let retryAfter):
            throw Problem(.rateLimited, "Try again later.", retryAfterSeconds: Problem.seconds(retryAfter))
        }
    }

    func recoveryStep(_ answer: RecoveryAnswer) throws -> APIModels.Step {
        switch answer {
        case .chooseChannel(let token, let choices):
            return .init(
                next: "channel", stepToken: token.text,
                choices: choices.map { choice in
                    switch choice {
                    case .email: "email"
                    case .phone: "phone"
                    }
                })
        case .codeSent(let token, let destination):
            return .init(next: "code", stepToken: token.text, sentTo: Self.text(destination))
        case .needPassword(let token): return .init(next: "password", stepToken: token.text)
        case .needPIN(let token): return .init(next: "pin", stepToken: token.text)
        case .needNewPIN(let token): return .init(next: "new-pin", stepToken: token.text)
        case .needNewPassword(let token): return .init(next: "new-password", stepToken: token.text)
        case .needReenrollmentCode(let token): return .init(next: "reenrollment-code", stepToken: token.text)
        case .completed: return .init(next: "sign-in")
        case .wrongCode: throw Problem(.wrongCredentials, "That code is not right, or it has expired.", field: "code")
        case .wrongPassword: throw Problem(.wrongCredentials, "That password is not right.", field: "password")
        case .wrongPIN: throw Problem(.wrongCredentials, "That PIN is not right.", field: "pin")
        case .pinRefused(let violations):
            throw Problem.refused(violations)
        case .passwordRefused(let violations):
            throw Problem.refused(violations)
        case .locked(let retryAfter):
            throw Problem.locked(retryAfter: retryAfter)
        case .hardLocked: throw Problem(.locked, "This account is locked; contact the help desk.")
        case .tryLater(let retryAfter):
            throw Problem(.rateLimited, "Try again later.", retryAfterSeconds: Problem.seconds(retryAfter))
        }
    }
}
