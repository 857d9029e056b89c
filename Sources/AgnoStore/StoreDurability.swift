/// What a stored event survives. Both keep the database consistent (SQLite's WAL); they differ in what the
/// last moments before a failure may lose. See docs/store.md.
public enum StoreDurability: String, Sendable, CaseIterable {
    /// A commit is in the write-ahead log when it returns: survives agnod crashing or being killed; a power
    /// loss or kernel crash may lose the last commits (`PRAGMA synchronous=NORMAL`). The default.
    case process
    /// Every commit is fsynced before it returns: also survives power loss (`PRAGMA synchronous=FULL`).
    case power

    var synchronousPragma: String {
        switch self {
        case .process: "NORMAL"
        case .power: "FULL"
        }
    }
}
