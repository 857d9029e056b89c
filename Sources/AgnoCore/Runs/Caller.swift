/// Who sent a request, from the connection's peer credentials.
public struct Caller: Sendable, Equatable, CustomStringConvertible {
    public var uid: UInt32
    public var gid: UInt32
    public var user: String
    public var isAdmin: Bool

    public init(uid: UInt32, gid: UInt32 = 0, user: String, isAdmin: Bool) {
        self.uid = uid
        self.gid = gid
        self.user = user
        self.isAdmin = isAdmin
    }

    public var description: String { "\(user) (uid \(uid))" }

    /// The reason a cancel by this caller gives: theirs, or "cancelled by USER"; when the run is not theirs
    /// (an admin's cancel), who cancelled is in it too.
    public func cancelReason(_ reason: String?, ownRun: Bool) -> String {
        let who = ownRun ? user : "admin \(user)"
        return reason.map { ownRun ? $0 : "\($0) (cancelled by \(who))" } ?? "cancelled by \(who)"
    }

    /// Whether this caller may see and act on a run owned by `ownerUID`.
    public func mayAccess(ownerUID: UInt32) -> Bool { isAdmin || ownerUID == uid }
}
