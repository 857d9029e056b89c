/// One run event, encoded once as compact JSON, with its place in the run.
public struct EncodedEvent: Sendable, Equatable {
    public var seq: Int
    /// The event object's compact JSON (no newline).
    public var json: [UInt8]

    public init(seq: Int, json: [UInt8]) {
        self.seq = seq
        self.json = json
    }
}
