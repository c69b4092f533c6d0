import DeadboltSignIn
import HTTPTypes
import Hummingbird

extension ServerRuntime {
    /// Forgot PIN, Forgot password and "this wasn't me": email → where to send a code → the code → the other secret
    /// → the new PIN or password → done (no session: the person then signs in).
    func addRecoveryPages(to router: RouterGroup<ServerRequestContext>) {
        for (path, kind) in [("/forgot-pin", RecoveryKind.pin), ("/forgot-password", .password), ("/not-me", .notMe)] {
            router.get(RouterPath(path)) { request, _ in
                formPage(Self.recoveryStartForm(kind), visit: try BrowserVisit(request))
            }
            router.post(RouterPath(path)) { request, context in
                let (form, visit) = try await readBrowserForm(request)
                let email = form.trimmed("email") ?? ""
                let client = try clientContext(request, context, browserID: visit.browserID, device: nil)
                do {
                    let answer = try await mappingErrors {
                        try await flow(kind).start(
                            email: email, client: client, origin: kind == .notMe ? .notMe : .forgotten)
                    }
                    return recoveryAnswerPage(answer, kind: kind, visit: visit)
                } catch let problem as Problem where problem.field == "email" {
                    return formPage(Self.recoveryStartForm(kind, email: email, errors: [problem.detail]), visit: visit)
                }
            }
        }
        router.post("/recover/channel") { request, context in
            try await recoveryStep(request, context) { form, kind, token, client in
                let channel: CodeChannel = form["channel"] == "phone" ? .phone : .email
                return try await flow(kind).sendCode(token, via: channel, client: client)
            }
        }
        router.post("/recover/code") { request, context in
            try await recoveryStep(request, context) { form, kind, token, client in
                try await flow(kind).submitCode(token, code: form.trimmed("code") ?? "", client: client)
            }
        }
        router.post("/recover/password") { request, context in
            try await recoveryStep(request, context) { form, kind, token, client in
                try await flow(kind).submitPassword(token, password: form["password"] ?? "", client: client)
            }
        }
        router.post("/recover/pin") { request, context in
            try await recoveryStep(request, context) { form, kind, token, client in
                try await flow(kind).submitPIN(token, pin: form["pin"] ?? "", client: client)
            }
        }
        router.post("/recover/reenrollment-code") { request, context in
            try await recoveryStep(request, context, codeStep: .reenrollment) { form, kind, token, client in
                try await flow(kind).submitReenrollmentCode(
                    token, code: form.trimmed("reenrollment-code") ?? "", client: client)
            }
        }
        router.post("/recover/new-pin") { request, context in
            try await recoveryStep(request, context) { form, kind, token, client in
                guard form["pin"] == form["pin-again"] else { throw PINsDiffer() }
                return try await flow(kind).setNewPIN(token, pin: form["pin"] ?? "", client: client)
            }
        }
        router.post("/recover/new-password") { request, context in
            try await recoveryStep(request, context) { form, kind, token, client in
                try await flow(kind).setNewPassword(token, password: form["password"] ?? "", client: client)
            }
        }
    }

    /// Which recovery a page belongs to (kept in a hidden field: not a secret, and a step token from one flow is
    /// refused by the other).
    enum RecoveryKind: String {
        case pin, password
        case notMe = "not-me"
    }

    struct PINsDiffer: Error {}

    func flow(_ kind: RecoveryKind) -> RecoveryFlow {
        kind == .password ? system.forgotPassword : system.forgotPIN
    }

    /// Which code a recovery step asks for: a wrong one is asked for again on its own form.
    enum RecoveryCodeStep {
        case emailed, reenrollment
    }

    func recoveryStep(
        _ request: Request, _ context: ServerRequestContext, codeStep: RecoveryCodeStep = .emailed,
        _ step: (FormFields, RecoveryKind, StepToken, ClientContext) async throws -> RecoveryAnswer
    ) async throws -> Response {
        let (form, visit, token) = try await readStepForm(request)
        let kind = RecoveryKind(rawValue: form["flow"] ?? "") ?? .pin
        let client = try clientContext(request, context, browserID: visit.browserID, device: nil)
        do {
            let answer = try await mappingErrors { try await step(form, kind, token, client) }
            return recoveryAnswerPage(answer, kind: kind, codeStep: codeStep, visit: visit)
        } catch is PINsDiffer {
            return formPage(
                Self.recoveryNewPINForm(kind, againErrors: ["The two PINs are not the same."]), visit: visit)
        }
    }

    static func recoveryStartForm(_ kind: RecoveryKind, email: String? = nil, errors: [String] = []) -> FormPage {
        switch kind {
        case .pin:
            FormPage(
                heading: "Reset your PIN", action: "/forgot-pin", submit: "Continue",
                intro:
                    "We will send a code to your email or phone, then ask for your password, then let you choose a new PIN.",
                fields: [.email(email, errors: errors)], links: [("/sign-in", "Back to sign in")])
        case .password:
            FormPage(
                heading: "Reset your password", action: "/forgot-password", submit: "Continue",
                intro:
                    "We will send a code to your email or phone, then ask for your PIN, then let you choose a new password.",
                fields: [.email(email, errors: errors)], links: [("/sign-in", "Back to sign in")])
        case .notMe:
            FormPage(
                heading: "This wasn't me", action: "/not-me", submit: "Secure my account",
                intro:
                    "If a message from us described something you did not do, secure your account: once you confirm the code we send, every session ends, remembered devices are forgotten, and you choose a new PIN.",
                fields: [.email(email, errors: errors)])
        }
    }

    static func recoveryNewPINForm(_ kind: RecoveryKind, errors: [String] = [], againErrors: [String] = []) -> FormPage
    {
        var form = newPINForm(
            action: "/recover/new-pin", heading: "Choose a new PIN", errors: errors, againErrors: againErrors)
        form.hidden = [("flow", kind.rawValue)]
        return form
    }

    /// The code the operator handed over when they verified the person again (a verified account without a PIN).
    static func reenrollmentCodeForm(_ kind: RecoveryKind, errors: [String] = []) -> FormPage {
        FormPage(
            heading: "Enter your re-enrollment code", action: "/recover/reenrollment-code", submit: "Continue",
            intro:
                "When we verified your identity again, we gave you a one-time code like ABCD-EFGH-JKMNP. Enter it to choose a new password. If you have none, contact the help desk to verify your identity again.",
            fields: [.reenrollmentCode(errors: errors)], hidden: [("flow", kind.rawValue)])
    }

    func recoveryAnswerPage(
        _ answer: RecoveryAnswer, kind: RecoveryKind, codeStep: RecoveryCodeStep = .emailed, visit: BrowserVisit
    ) -> Response {
        let flowField = [("flow", kind.rawValue)]
        switch answer {
        case .chooseChannel(let token, let choices):
            let options = choices.map { choice -> (value: String, label: String) in
                switch choice {
                case .email(let masked): ("email", "Email to \(masked)")
                case .phone(let masked): ("phone", "Text message to \(masked)")
                }
            }
            return withStep(
                token,
                formPage(
                    FormPage(
                        heading: "Where should we send a code?", action: "/recover/channel", submit: "Send code",
                        choicesLegend: "Send a code by", choicesName: "channel", choices: options, hidden: flowField),
                    visit: visit))
        case .codeSent(let token, let destination):
            return withStep(
                token,
                formPage(
                    FormPage(
                        heading: "Enter the code", action: "/recover/code", submit: "Continue",
                        notice: "We sent a 6-digit code to \(Self.text(destination)). It works for 10 minutes.",
                        fields: [.code(label: "Code")], hidden: flowField), visit: visit))
        case .needPassword(let token):
            return withStep(
                token,
                formPage(
                    FormPage(
                        heading: "Enter your password", action: "/recover/password", submit: "Continue",
                        fields: [.password()], hidden: flowField), visit: visit))
        case .needPIN(let token):
            return withStep(
                token,
                formPage(
                    FormPage(
                        heading: "Enter your PIN", action: "/recover/pin", submit: "Continue",
                        fields: [.pin()], hidden: flowField), visit: visit))
        case .needReenrollmentCode(let token):
            return withStep(token, formPage(Self.reenrollmentCodeForm(kind), visit: visit))
        case .needNewPIN(let token):
            return withStep(token, formPage(Self.recoveryNewPINForm(kind), visit: visit))
        case .needNewPassword(let token):
            return withStep(
                token,
                formPage(
                    FormPage(
                        heading: "Choose a new password", action: "/recover/new-password", submit: "Save password",
                        fields: [.password(label: "New password", new: true, hint: Self.passwordHint)],
                        hidden: flowField), visit: visit))
        case .completed:
            return clearingStep(
                messagePage(
                    kind == .password ? "Your password is changed" : "Your PIN is changed",
                    [
                        "Every other session on your account has ended and remembered devices were forgotten. We sent a notice to your email and phone.",
                        "Sign in now with your new \(kind == .password ? "password" : "PIN").",
                    ],
                    success: "Done.", button: ("/sign-in", "Sign in")))
        case .wrongCode where codeStep == .reenrollment:
            return formPage(
                Self.reenrollmentCodeForm(kind, errors: ["That code is not right, or it has expired."]), visit: visit)
        case .wrongCode:
            return formPage(
                FormPage(
                    heading: "Enter the code", action: "/recover/code", submit: "Continue",
                    fields: [.code(label: "Code", errors: ["That code is not right, or it has expired."])],
                    hidden: flowField),
                visit: visit)
        case .wrongPassword:
            return formPage(
                FormPage(
                    heading: "Enter your password", action: "/recover/password", submit: "Continue",
                    fields: [.password(errors: ["That password is not right."])], hidden: flowField), visit: visit)
        case .wrongPIN:
            return formPage(
                FormPage(
                    heading: "Enter your PIN", action: "/recover/pin", submit: "Continue",
                    fields: [.pin(errors: ["That PIN is not right."])], hidden: flowField), visit: visit)
        case .pinRefused(let violations):
            return formPage(Self.recoveryNewPINForm(kind, errors: violations.map(\.message)), visit: visit)
        case .passwordRefused(let violations):
            return formPage(
                FormPage(
                    heading: "Choose a new password", action: "/recover/new-password", submit: "Save password",
                    fields: [
                        .password(
                            label: "New password", new: true, hint: Self.passwordHint, errors: violations.map(\.message)
                        )
                    ],
                    hidden: flowField), visit: visit)
        case .locked(let retryAfter):
            return lockedPage(retryAfter)
        case .hardLocked:
            return clearingStep(
                messagePage(
                    "Your account is locked", ["Contact the service's help desk to unlock it."]))
        case .tryLater(let retryAfter):
            return tryLaterPage(retryAfter)
        }
    }
}
