/// Where the daemon's socket comes from.
enum Listener: Sendable, Equatable {
    /// agnod binds the path itself (replacing a stale socket file) and removes it when it stops.
    case path(String)
    /// systemd bound it and passed it (socket activation); systemd owns the file and its mode.
    case inherited(fd: Int32, name: String)

    var description: String {
        switch self {
        case .path(let path): path
        case .inherited(let fd, let name): "fd \(fd) (\(name), from systemd)"
        }
    }
}
