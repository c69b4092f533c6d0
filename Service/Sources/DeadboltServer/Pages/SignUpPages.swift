import DeadboltSignIn
import HTTPTypes
import Hummingbird

extension ServerRuntime {
    /// Sign-up: email and password → the emailed code → the account exists.
    func addSignUpPages(to router: RouterGroup<ServerRequestContext>) {
        router.get("/sign-up") { request, _ in
            formPage(Self.signUpForm(), visit: try BrowserVisit(request))
        }
        router.post("/sign-up") { request, context in
            let (form, visit) = try await readBrowserForm(request)
            let email = form.trimmed("email") ?? ""
            let password = form["password"] ?? ""
            let client = try clientContext(request, context, browserID: visit.browserID, device: nil)
            do {
                let answer = try await mappingErrors {
                    try await system.signUp.start(email: email, password: password, client: client)
                }
                return signUpAnswerPage(answer, visit: visit, email: email)
            } catch let problem as Problem where problem.field == "email" {
                return formPage(Self.signUpForm(email: email, emailErrors: [problem.detail]), visit: visit)
            }
        }
        router.post("/sign-up/confirm") { request, context in
            let (form, visit, token) = try await readStepForm(request)
            let client = try clientContext(request, context, browserID: visit.browserID, device: nil)
            let answer = try await mappingErrors {
                try await system.signUp.confirmEmail(token, code: form.trimmed("code") ?? "", client: client)
            }
            return signUpAnswerPage(answer, visit: visit, email: nil)
        }
        router.post("/sign-up/resend") { request, context in
            let (_, visit, token) = try await readStepForm(request)
            let client = try clientContext(request, context, browserID: visit.browserID, device: nil)
            let answer = try await mappingErrors { try await system.signUp.resendCode(token, client: client) }
            return signUpAnswerPage(answer, visit: visit, email: nil)
        }
    }

    static func signUpForm(email: String? = nil, emailErrors: [String] = [], passwordErrors: [String] = []) -> FormPage
    {
        FormPage(
            heading: "Create an account", action: "/sign-up", submit: "Create account",
            intro: "You will choose a login PIN after your identity has been verified.",
            fields: [
                .email(email, errors: emailErrors, autofocus: passwordErrors.isEmpty),
                .password(new: true, hint: passwordHint, errors: passwordErrors, autofocus: !passwordErrors.isEmpty),
            ],
            links: [("/sign-in", "I already have an account")])
    }

    static func confirmEmailForm(sentTo: String?, errors: [String] = []) -> FormPage {
        FormPage(
            heading: "Check your email", action: "/sign-up/confirm", submit: "Confirm",
            notice: sentTo.map { "We sent a 6-digit code to \($0). It works for 10 minutes." },
            fields: [.code(label: "Code from the email", errors: errors)],
            afterForm: "No email? Check your spam folder, or start again from the sign-up page.")
    }

    func signUpAnswerPage(_ answer: SignUpAnswer, visit: BrowserVisit, email: String?) -> Response {
        switch answer {
        case .confirmEmail(let token, let destination):
            return withStep(token, formPage(Self.confirmEmailForm(sentTo: Self.text(destination)), visit: visit))
        case .passwordRefused(let violations):
            return formPage(
                Self.signUpForm(email: email, passwordErrors: violations.map(\.message)), visit: visit)
        case .accountCreated:
            return clearingStep(
                messagePage(
                    "Your account is ready",
                    [
                        "Your email address is confirmed.",
                        "Next, your identity must be verified by the service before you can choose a login PIN. Contact the help desk with your email address. You can sign in with your password now to see where things stand.",
                    ],
                    success: "Account created.", button: ("/sign-in", "Sign in")))
        case .wrongCode:
            return formPage(
                Self.confirmEmailForm(
                    sentTo: nil,
                    errors: ["That code is not right, or it has expired. Check the newest email and try again."]),
                visit: visit)
        case .locked(let retryAfter):
            return retryAfter.map { lockedPage($0) }
                ?? clearingStep(
                    messagePage(
                        "Too many wrong codes", ["Please start again later."], button: ("/sign-up", "Start again")))
        case .tryLater(let retryAfter):
            return tryLaterPage(retryAfter)
        }
    }

    /// A masked destination as the pages say it.
    static func text(_ destination: CodeDestination) -> String {
        switch destination {
        case .email(let masked): masked
        case .phone(let masked): masked
        }
    }
}
