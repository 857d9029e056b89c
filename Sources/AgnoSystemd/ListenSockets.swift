import CSystemd
import Foundation

/// Sockets passed by the service manager (socket activation, `sd_listen_fds_with_names`).
public enum ListenSockets {
    /// One inherited listening socket.
    public struct Inherited: Sendable, Equatable {
        public var fd: Int32
        public var name: String
    }

    /// The sockets this process was started with (empty when not socket-activated). Clears `LISTEN_FDS` and
    /// friends from the environment, so that child processes do not think the sockets are theirs.
    public static func take() -> [Inherited] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count > 0 else { return [] }
        defer { free(names) }
        return (0..<Int(count)).map { i in
            let name = names?[i].map { String(cString: $0) } ?? "unknown"
            free(names?[i])
            return Inherited(fd: SD_LISTEN_FDS_START + Int32(i), name: name)
        }
    }
}
