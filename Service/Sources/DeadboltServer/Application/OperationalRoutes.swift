import DeadboltSignIn
import HTTPTypes
import Hummingbird

extension ServerRuntime {
    /// `/healthz` (the process answers), `/readyz` (the state store and the database answer; 503 otherwise, so a
    /// load balancer stops sending sign-ins to a replica that would fail them), `/metrics` (Prometheus text).
    func addOperationalRoutes(to router: Router<ServerRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: .init(string: "ok\n")))
        }
        let store = store
        let accounts = accounts
        router.get("/readyz") { _, _ -> Response in
            let storeReady = await StateStores.isReachable(store)
            // One indexed read of an address no account can have: the database answers, or it does not.
            let databaseReady: Bool
            do {
                _ = try await accounts.account(emailKey: "readiness-probe@deadbolt.invalid")
                databaseReady = true
            } catch {
                databaseReady = false
            }
            let text = "store \(storeReady ? "ok" : "unreachable")\ndatabase \(databaseReady ? "ok" : "unreachable")\n"
            return Response(
                status: storeReady && databaseReady ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: .init(string: text)))
        }
        let metrics = metrics
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: .init(bytes: metrics.exposition())))
        }
    }

    /// `/static/<name>`: the stylesheet, from memory, cacheable (it holds no account data).
    func addStaticRoutes(to router: Router<ServerRequestContext>) {
        let files = pages.staticFiles
        router.get("/static/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let file = files[name] else { throw Problem(.notFound) }
            return Response(
                status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: .init(bytes: file.bytes)))
        }
    }
}
