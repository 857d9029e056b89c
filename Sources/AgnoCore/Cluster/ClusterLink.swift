import AgnoProtocol

/// What one agnod host asks of the others when several share a store (PostgreSQL): a run executes on the host
/// that accepted it (or that took it over), and every other host reads it from the store. Cancels and "new
/// events" travel between hosts through this link; nil on a single host (SQLite).
public protocol ClusterLink: Sendable {
    /// This host's name in the shared store (`store.host_id`).
    var hostID: String { get }
    /// Asks the host that executes `runID` to cancel it, if `caller` may: the request is kept in the store (so a
    /// host that missed the notification still sees it), in one statement with the notification. Returns the
    /// run's status before, or nil when it is not PENDING or RUNNING in the store or not the caller's.
    func requestCancel(runID: String, reason: String?, caller: Caller) async throws -> RunStatus?
    /// Taken before reading `runID`'s events from the store, to wait `since` that read.
    func eventToken(runID: String) -> UInt64
    /// Returns when another host may have stored new events of `runID` (also since `token`: at once then), or
    /// after `timeout` at the latest (a notification can be missed: the caller reads the store either way).
    func waitForEvents(runID: String, since token: UInt64?, timeout: Duration) async
    /// Takes a PAUSED run (it waits for the pause stored at `requirementSeq`) for this host, to continue or
    /// cancel it here: one host wins (its status leaves PAUSED in the same statement); false when another
    /// host took it first or it no longer waits for that pause.
    func claimPaused(runID: String, requirementSeq: Int) async throws -> Bool
    /// Takes one of the owner's `limit` slots, counted over every host, for this run before it starts here;
    /// false when the owner's runs hold them all (the hosts are told when one frees).
    func claimSlot(runID: String, ownerUID: UInt32, limit: Int) async throws -> Bool
}
