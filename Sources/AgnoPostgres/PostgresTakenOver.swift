/// A commit refused because another host took over some of its runs (this host's lease had expired).
public struct PostgresTakenOver: Error, CustomStringConvertible, Sendable {
    public let runIDs: [String]
    public let host: String
    public var description: String {
        "run \(runIDs.joined(separator: ", ")) was taken over by host \(host.isEmpty ? "?" : host) (this host's lease had expired)"
    }
}
