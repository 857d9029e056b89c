import Foundation

/// Where the built `agnod` and `agnoctl` are: `$AGNOD_BIN_DIR`, else beside the test bundle, else .build/debug.
public enum Binaries {
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["AGNOD_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        if FileManager.default.isExecutableFile(atPath: beside.appendingPathComponent("agnod").path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug")
    }

    public static var agnod: URL { directory.appendingPathComponent("agnod") }
    public static var agnoctl: URL { directory.appendingPathComponent("agnoctl") }
}
