/// One request of protocol v1: one case per op, each wrapping a named struct.
public enum Request: Sendable, Equatable {
    case hello(HelloRequest)
    case workflows(WorkflowsRequest)
    case start(StartRequest)
    case stream(StreamRequest)
    case cancel(CancelRequest)
    case status(StatusRequest)
    case list(ListRequest)
    case remove(RemoveRequest)
    case toolCalls(ToolCallsRequest)
    case check(CheckRequest)
    case `continue`(ContinueRequest)
    case metrics(MetricsRequest)

    /// The op names this version understands.
    public static let ops = [
        "hello", "workflows", "start", "stream", "cancel", "status", "list", "rm", "tool_calls", "check", "continue", "metrics",
    ]

    /// Reads the op-specific parameters of an already-parsed request object.
    public init(op: String, params: Params) throws(ProtocolError) {
        switch op {
        case "hello": self = .hello(try HelloRequest(params))
        case "workflows": self = .workflows(WorkflowsRequest())
        case "start": self = .start(try StartRequest(params))
        case "stream": self = .stream(try StreamRequest(params))
        case "cancel": self = .cancel(try CancelRequest(params))
        case "status": self = .status(try StatusRequest(params))
        case "list": self = .list(try ListRequest(params))
        case "rm": self = .remove(try RemoveRequest(params))
        case "tool_calls": self = .toolCalls(try ToolCallsRequest(params))
        case "check": self = .check(try CheckRequest(params))
        case "continue": self = .continue(try ContinueRequest(params))
        case "metrics": self = .metrics(try MetricsRequest(params))
        default:
            throw ProtocolError(
                .unknownOp,
                "unknown op '\(op)'; this daemon speaks protocol 1 with ops \(Request.ops.joined(separator: ", ")) (is your client newer than agnod?)"
            )
        }
    }

    public var op: String {
        switch self {
        case .hello: return "hello"
        case .workflows: return "workflows"
        case .start: return "start"
        case .stream: return "stream"
        case .cancel: return "cancel"
        case .status: return "status"
        case .list: return "list"
        case .remove: return "rm"
        case .toolCalls: return "tool_calls"
        case .check: return "check"
        case .continue: return "continue"
        case .metrics: return "metrics"
        }
    }

    /// The parameters as sent on the wire (without `id` and `op`).
    public var parameters: [(String, JSONValue?)] {
        switch self {
        case .hello(let r): return r.parameters
        case .workflows: return []
        case .start(let r): return r.parameters
        case .stream(let r): return r.parameters
        case .cancel(let r): return r.parameters
        case .status(let r): return r.parameters
        case .list(let r): return r.parameters
        case .remove(let r): return r.parameters
        case .toolCalls(let r): return r.parameters
        case .check(let r): return r.parameters
        case .continue(let r): return r.parameters
        case .metrics(let r): return r.format == .prometheus ? [] : [("format", .string(r.format.rawValue))]
        }
    }

    /// The whole request line (without the newline).
    public func encoded(id: RequestID) -> [UInt8] {
        JSONValue.compactObject([("id", id.json), ("op", .string(op))] + parameters).encoded
    }
}
