import Hummingbird

extension ServerRuntime {
    /// Sign-in: email → password → PIN → second factor.
    func addSignInPages(to router: RouterGroup<ServerRequestContext>) {
        router.get("/sign-in") { request, _ in
            let visit = try BrowserVisit(request)
            return formPage(Self.signInEmailForm(), visit: visit)
        }
    }

    static func signInEmailForm(email: String? = nil, errors: [String] = []) -> FormPage {
        FormPage(
            heading: "Sign in", action: "/sign-in", submit: "Continue",
            fields: [.email(email, errors: errors)],
            links: [("/sign-up", "Create an account"), ("/forgot-password", "Forgot your password?")])
    }
}
