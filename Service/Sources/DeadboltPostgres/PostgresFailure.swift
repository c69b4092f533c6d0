import PostgresNIO
import _ConnectionPoolModule

/// What went wrong talking to PostgreSQL, reduced to what the store decides on: retry the transaction, report the
/// database unavailable (the service answers 503), or report a bug. Never holds a query's parameters or the
/// server's message text (both can repeat stored values); only SQLSTATE codes and constraint names.
enum PostgresFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server is down, unreachable, refusing connections, shutting down, or did not answer in time; `reason`
    /// says which.
    case unavailable(reason: String)
    /// A serializable transaction lost to a concurrent one (SQLSTATE 40001) or was picked as a deadlock victim
    /// (40P01): running it again is correct.
    case serializationConflict
    /// A constraint refused a write: a bug in a precondition, or a race the schema caught.
    case constraintViolated(sqlState: String, constraint: String?)
    /// Any other error the server reported.
    case server(sqlState: String)

    var description: String {
        switch self {
        case .unavailable(let reason): "PostgreSQL is unavailable: \(reason)"
        case .serializationConflict: "a concurrent transaction conflicted (SQLSTATE 40001/40P01)"
        case .constraintViolated(let sqlState, let constraint):
            "PostgreSQL refused a write (SQLSTATE \(sqlState)\(constraint.map { ", constraint \($0)" } ?? ""))"
        case .server(let sqlState): "PostgreSQL reported an error (SQLSTATE \(sqlState))"
        }
    }

    /// Classifies an error thrown by postgres-nio, its pool, NIO or NIOSSL; `nil` for any other error (a
    /// precondition's own error thrown inside a transaction, a cancellation), which the store passes on as it is.
    static func databaseFailure(_ error: any Error) -> PostgresFailure? {
        if let failure = error as? PostgresFailure { return failure }
        if let error = error as? PSQLError {
            if error.code == .server, let sqlState = error.serverInfo?[.sqlState] {
                return classify(sqlState: sqlState, constraint: error.serverInfo?[.constraintName])
            }
            // connectionError, serverClosedConnection, clientClosedConnection, uncleanShutdown, poolClosed,
            // TLS and authentication-mechanism failures: the database cannot be used now.
            return .unavailable(reason: "\(error.code)")
        }
        if let error = error as? ConnectionPoolError {
            if error == .connectionCreationCircuitBreakerTripped {
                return .unavailable(reason: "no connection could be opened for a while (the pool's circuit breaker)")
            }
            if error == .poolShutdown { return .unavailable(reason: "the store has shut down") }
            return .unavailable(reason: "the wait for a connection was cancelled")
        }
        if error is ChannelError || error is IOError || error is NIOSSLError {
            return .unavailable(reason: "\(type(of: error))")
        }
        return nil
    }

    /// SQLSTATE classes from PostgreSQL's Appendix A ("PostgreSQL Error Codes").
    static func classify(sqlState: String, constraint: String?) -> PostgresFailure {
        switch sqlState {
        case "40001", "40P01":
            return .serializationConflict
        // statement_timeout, lock_timeout, idle-in-transaction timeout, administrator or crash shutdown, the
        // server starting up or in recovery, too many connections.
        case "57014", "55P03", "25P03", "57P01", "57P02", "57P03", "53300":
            return .unavailable(reason: "SQLSTATE \(sqlState)")
        default:
            break
        }
        switch sqlState.prefix(2) {
        case "08": return .unavailable(reason: "connection failure (SQLSTATE \(sqlState))")
        case "28": return .unavailable(reason: "the server refused the credentials (SQLSTATE \(sqlState))")
        case "53": return .unavailable(reason: "the server is out of resources (SQLSTATE \(sqlState))")
        case "23": return .constraintViolated(sqlState: sqlState, constraint: constraint)
        default: return .server(sqlState: sqlState)
        }
    }
}
