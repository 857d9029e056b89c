/// A request's `id`: chosen by the client, a string or an integer; null only on replies to unreadable lines.
public enum RequestID: Sendable, Hashable, CustomStringConvertible {
    case int(Int)
    case string(String)
    case null

    public init?(json: JSONValue) {
        switch json {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .double(let d) where d == d.rounded() && abs(d) < 9.0e15: self = .int(Int(d))
        default: return nil
        }
    }

    public var json: JSONValue {
        switch self {
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        case .null: return .null
        }
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return s
        case .null: return "null"
        }
    }
}
