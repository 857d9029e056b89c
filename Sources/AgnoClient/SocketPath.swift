import Foundation

/// Which socket a client uses: `--socket`, else `AGNOD_SOCKET`, else the default.
public enum SocketPath {
    public static let defaultPath = "/run/agnod/agnod.sock"

    public static func resolve(_ option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let env = ProcessInfo.processInfo.environment["AGNOD_SOCKET"], !env.isEmpty { return env }
        return defaultPath
    }
}
