import DeadboltSignIn
import HTTPTypes
import Hummingbird

extension ServerRuntime {
    /// Sign-in: email → password → PIN (or a first PIN) → a second factor on a new device or network → a session.
    func addSignInPages(to router: RouterGroup<ServerRequestContext>) {
        router.get("/sign-in") { request, _ in
            formPage(Self.signInEmailForm(), visit: try BrowserVisit(request))
        }
        router.post("/sign-in") { request, context in
            let (form, visit) = try await readBrowserForm(request)
            let email = form.trimmed("email") ?? ""
            let client = try clientContext(
                request, context, browserID: visit.browserID, device: BrowserCookie.device.value(in: request))
            do {
                let answer = try await mappingErrors { try await system.signIn.start(email: email, client: client) }
                return signInAnswerPage(answer, visit: visit, request: request)
            } catch let problem as Problem where problem.field == "email" {
                return formPage(Self.signInEmailForm(email: email, errors: [problem.detail]), visit: visit)
            }
        }
        router.post("/sign-in/password") { request, context in
            try await signInStep(request, context) { form, token, client in
                try await system.signIn.submitPassword(token, password: form["password"] ?? "", client: client)
            }
        }
        router.post("/sign-in/pin") { request, context in
            try await signInStep(request, context) { form, token, client in
                try await system.signIn.submitPIN(token, pin: form["pin"] ?? "", client: client)
            }
        }
        router.post("/sign-in/new-pin") { request, context in
            let (form, visit, _) = try await readStepForm(request)
            guard form["pin"] == form["pin-again"] else {
                return formPage(
                    Self.newPINForm(
                        action: "/sign-in/new-pin", errors: [], againErrors: ["The two PINs are not the same."]),
                    visit: visit)
            }
            return try await signInStep(request, context, form: form) { form, token, client in
                try await system.signIn.setFirstPIN(token, pin: form["pin"] ?? "", client: client)
            }
        }
        router.post("/sign-in/second-factor/choose") { request, context in
            let (form, visit, token) = try await readStepForm(request)
            let remember = form.isChecked("remember")
            switch form["method"] {
            case "email", "phone":
                let channel: CodeChannel = form["method"] == "email" ? .email : .phone
                let client = try clientContext(
                    request, context, browserID: visit.browserID, device: BrowserCookie.device.value(in: request))
                let answer = try await mappingErrors {
                    try await system.signIn.sendSecondFactorCode(token, via: channel, client: client)
                }
                return signInAnswerPage(answer, visit: visit, request: request, method: "sent", remember: remember)
            case "app":
                return formPage(Self.secondFactorCodeForm(method: "app"), visit: visit)
            case "recovery":
                return formPage(Self.secondFactorCodeForm(method: "recovery"), visit: visit)
            default:
                return formPage(
                    Self.chooseSecondFactorForm(choices: [], error: "Choose how to confirm it is you."), visit: visit)
            }
        }
        router.post("/sign-in/second-factor") { request, context in
            let (form, visit, token) = try await readStepForm(request)
            let code = form.trimmed("code") ?? ""
            let method = form["method"] ?? "sent"
            let proof: SecondFactorProof =
                switch method {
                case "app": .authenticatorCode(code)
                case "recovery": .recoveryCode(code)
                default: .sentCode(code)
                }
            let client = try clientContext(
                request, context, browserID: visit.browserID, device: BrowserCookie.device.value(in: request))
            let answer = try await mappingErrors {
                try await system.signIn.submitSecondFactor(
                    token, proof: proof, rememberDevice: form.isChecked("remember"), client: client)
            }
            return signInAnswerPage(answer, visit: visit, request: request, method: method)
        }
    }

    /// Reads a sign-in step's form, calls `step`, and answers with the next page.
    func signInStep(
        _ request: Request, _ context: ServerRequestContext, form preread: FormFields? = nil,
        _ step: (FormFields, StepToken, ClientContext) async throws -> SignInAnswer
    ) async throws -> Response {
        let form: FormFields
        let visit: BrowserVisit
        let token: StepToken
        if let preread {
            visit = try BrowserVisit(request)
            guard let text = BrowserCookie.step.value(in: request), let stepToken = StepToken(text: text) else {
                throw Problem(.stepExpired, "This step has expired. Please start again.")
            }
            (form, token) = (preread, stepToken)
        } else {
            (form, visit, token) = try await readStepForm(request)
        }
        let client = try clientContext(
            request, context, browserID: visit.browserID, device: BrowserCookie.device.value(in: request))
        let answer = try await mappingErrors { try await step(form, token, client) }
        return signInAnswerPage(answer, visit: visit, request: request)
    }

    static func signInEmailForm(email: String? = nil, errors: [String] = []) -> FormPage {
        FormPage(
            heading: "Sign in", action: "/sign-in", submit: "Continue",
            fields: [.email(email, errors: errors)],
            links: [("/sign-up", "Create an account")])
    }

    static func passwordForm(errors: [String] = []) -> FormPage {
        FormPage(
            heading: "Enter your password", action: "/sign-in/password", submit: "Continue",
            fields: [.password(errors: errors)],
            links: [("/forgot-password", "Forgot your password?"), ("/sign-in", "Use another email")])
    }

    static func pinForm(errors: [String] = []) -> FormPage {
        FormPage(
            heading: "Enter your PIN", action: "/sign-in/pin", submit: "Continue",
            intro: "Your login PIN is the 4 to 6 digits you chose for this account.",
            fields: [.pin(label: "PIN", errors: errors)],
            links: [("/forgot-pin", "Forgot your PIN?")])
    }

    static func newPINForm(
        action: String, heading: String = "Choose your login PIN", errors: [String] = [], againErrors: [String] = []
    ) -> FormPage {
        FormPage(
            heading: heading, action: action, submit: "Save PIN",
            intro: "You will enter this PIN every time you sign in. Keep it to yourself.",
            fields: [
                .pin(label: "New PIN", hint: pinHint, errors: errors, autofocus: true),
                .pin(name: "pin-again", label: "New PIN again", errors: againErrors, autofocus: !againErrors.isEmpty),
            ])
    }

    static func chooseSecondFactorForm(choices: [SecondFactorChoice], error: String? = nil) -> FormPage {
        var options: [(value: String, label: String)] = []
        for choice in choices {
            switch choice {
            case .email(let masked): options.append(("email", "A code by email to \(masked)"))
            case .textMessage(let masked): options.append(("phone", "A code by text message to \(masked)"))
            case .authenticatorApp: options.append(("app", "A code from my authenticator app"))
            case .recoveryCode: options.append(("recovery", "One of my recovery codes"))
            }
        }
        return FormPage(
            heading: "Confirm it is you", action: "/sign-in/second-factor/choose", submit: "Continue",
            intro: "This browser or network is new for your account, so we need one more check.",
            choicesLegend: "How do you want to confirm?", choicesName: "method", choices: options, choicesError: error)
    }

    static func secondFactorCodeForm(method: String, sentTo: String? = nil, errors: [String] = []) -> FormPage {
        let label: String
        let maxlength: Int
        switch method {
        case "app": (label, maxlength) = ("Code from your authenticator app", 6)
        case "recovery": (label, maxlength) = ("Recovery code", 15)
        default: (label, maxlength) = ("Code", 6)
        }
        var field = FormPage.Field.code(label: label, errors: errors, maxlength: maxlength)
        if method == "recovery" {
            field.inputmode = nil
            field.hint = "It looks like XXXX-XXXX-XXXXX. Each code works once."
        }
        return FormPage(
            heading: "Enter your code", action: "/sign-in/second-factor", submit: "Sign in",
            notice: sentTo.map { "We sent a 6-digit code to \($0). It works for 10 minutes." },
            fields: [field],
            checkbox: ("remember", "Remember this browser for 30 days (do not use on a shared computer)"),
            hidden: [("method", method)])
    }

    func signInAnswerPage(
        _ answer: SignInAnswer, visit: BrowserVisit, request: Request, method: String = "sent", remember: Bool = false
    ) -> Response {
        switch answer {
        case .needPassword(let token):
            return withStep(token, formPage(Self.passwordForm(), visit: visit))
        case .needPIN(let token):
            return withStep(token, formPage(Self.pinForm(), visit: visit))
        case .needNewPIN(let token):
            return withStep(token, formPage(Self.newPINForm(action: "/sign-in/new-pin"), visit: visit))
        case .needSecondFactor(let token, let choices):
            return withStep(token, formPage(Self.chooseSecondFactorForm(choices: choices), visit: visit))
        case .codeSent(let token, let destination):
            return withStep(
                token, formPage(Self.secondFactorCodeForm(method: "sent", sentTo: Self.text(destination)), visit: visit)
            )
        case .signedIn(let grant):
            metrics.signIn(.succeeded)
            var response = Response(status: .seeOther, headers: [.location: "/account"])
            response.headers.append(
                HTTPField(name: .setCookie, value: BrowserCookie.session.set(grant.token.text, maxAge: nil)))
            if let device = grant.rememberedDevice {
                let seconds = Int(
                    max(0, device.expiresAt.millisecondsSinceEpoch - grant.session.createdAt.millisecondsSinceEpoch)
                        / 1000)
                response.headers.append(
                    HTTPField(name: .setCookie, value: BrowserCookie.device.set(device.token.text, maxAge: seconds)))
            }
            visit.apply(to: &response)
            return clearingStep(response)
        case .wrongPassword:
            metrics.signIn(.wrongPassword)
            return formPage(Self.passwordForm(errors: ["The email or password is not right."]), visit: visit)
        case .wrongPIN:
            metrics.signIn(.wrongPIN)
            return formPage(Self.pinForm(errors: ["That PIN is not right."]), visit: visit)
        case .wrongCode:
            metrics.signIn(.wrongSecondFactor)
            return formPage(
                Self.secondFactorCodeForm(
                    method: method, errors: ["That code is not right, or it has expired or was already used."]),
                visit: visit)
        case .pinRefused(let violations):
            return formPage(
                Self.newPINForm(action: "/sign-in/new-pin", errors: violations.map(\.message)), visit: visit)
        case .locked(let retryAfter):
            metrics.signIn(.locked)
            return lockedPage(retryAfter)
        case .hardLocked:
            metrics.signIn(.locked)
            return hardLockedPage()
        case .tryLater(let retryAfter):
            return tryLaterPage(retryAfter)
        }
    }
}
