import HTTPTypes
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage, the socket's peer, and what the server's middleware learns
/// about the request (the client's address once proxies are accounted for, the session once it is read).
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket's peer (a proxy, when there is one).
    public let peerAddress: IPAddress?
    /// The client's address, set by ``ClientAddressMiddleware`` (the peer until then).
    public var clientAddress: IPAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        clientAddress = peerAddress
    }

    /// Hummingbird's own cap on a collected body; the server reads bodies through ``RequestBodyReader`` with the
    /// configured, smaller cap, so this only backs that up.
    public var maxUploadSize: Int { 1_048_576 }

    /// The client's address as text for limits and activity ("unknown" for a Unix-socket peer).
    public var clientAddressText: String { clientAddress?.description ?? "unknown" }
}
