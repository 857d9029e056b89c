/// A reply frame, daemon → client. The daemon writes frames with `ReplyEncoder`; clients read them with `init(json:)`.
public enum Reply: Sendable, Equatable {
    case result(RequestID, JSONValue)
    case error(RequestID, ProtocolError)
    case event(RequestID, seq: Int, JSONValue)
    case end(RequestID, RunSummary)

    public var id: RequestID {
        switch self {
        case .result(let id, _), .error(let id, _), .event(let id, _, _), .end(let id, _): return id
        }
    }

    public init?(json: JSONValue) {
        let id = json["id"].flatMap(RequestID.init(json:)) ?? .null
        switch json["type"]?.stringValue {
        case "result": self = .result(id, json["result"] ?? .null)
        case "error":
            guard let e = json["error"].flatMap(ProtocolError.init(json:)) else { return nil }
            self = .error(id, e)
        case "event":
            guard let seq = json["seq"]?.intValue, let ev = json["event"] else { return nil }
            self = .event(id, seq: seq, ev)
        case "end":
            guard let run = json["run"].flatMap(RunSummary.init(json:)) else { return nil }
            self = .end(id, run)
        default: return nil
        }
    }
}
