/// Why a client could not talk to the daemon.
public enum ClientError: Error, CustomStringConvertible, Sendable {
    /// The socket could not be reached (agnoctl exits 69).
    case unreachable(path: String, reason: String)
    /// The connection broke before the answer was complete.
    case disconnected(path: String)
    /// The daemon sent something that is not a protocol v1 reply.
    case badReply(String)

    public var description: String {
        switch self {
        case let .unreachable(path, reason):
            return "cannot connect to agnod at \(path): \(reason). Is agnod running (`systemctl status agnod.socket agnod`)? Use --socket or AGNOD_SOCKET for another socket."
        case let .disconnected(path):
            return "the connection to agnod at \(path) closed before the answer was complete"
        case let .badReply(what):
            return "agnod sent a reply this client does not understand: \(what)"
        }
    }
}
