import AgnoCore

@testable import AgnoDaemon

/// The error an agnod.yaml text is refused with (as /etc/agnod/agnod.yaml), or nil when it loads.
func error(_ text: String) -> ConfigError? {
    do {
        _ = try DaemonConfigParser.parse(text: text, file: "/etc/agnod/agnod.yaml")
        return nil
    } catch {
        return error
    }
}
