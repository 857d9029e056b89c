import AgnoProtocol

/// The streamed pieces' events, the most frequent of a run, written straight to bytes: the same bytes as
/// `agent(.runContent, context, [("content", .string(delta))]).encoded`, without building and encoding an object
/// per piece (a test holds the two equal).
extension RunEvents {
    public func runContent(_ delta: String, _ context: AgentContext, at ms: Int64 = EventTime.nowMilliseconds) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.contentHead.count + 16 + context.contentMiddle.count + delta.utf8.count + 3)
        out.append(contentsOf: Self.contentHead)
        EventTime.writeSeconds(milliseconds: ms, into: &out)
        out.append(contentsOf: context.contentMiddle)
        JSONValue.encodeString(delta, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `{"event":"RunContent","created_at":`
    static let contentHead: [UInt8] = Array(#"{"event":"\#(EventName.runContent.rawValue)","created_at":"#.utf8)

    /// `,"run_id":…,<the step's constant fields>,"content":`
    static func contentMiddle(agentRunID: String, _ fields: [(String, JSONValue)]) -> [UInt8] {
        var out: [UInt8] = []
        for (key, value) in [("run_id", JSONValue.string(agentRunID))] + fields {
            out.append(UInt8(ascii: ","))
            JSONValue.encodeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            value.encode(into: &out)
        }
        out.append(contentsOf: #","content":"#.utf8)
        return out
    }
}
