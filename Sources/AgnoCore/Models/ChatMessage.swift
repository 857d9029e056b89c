import AgnoProtocol

/// One message of a chat-completions conversation.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant, tool }

    public var role: Role
    public var content: String?
    public var toolCalls: [ToolCall]
    public var toolCallID: String?

    public init(role: Role, content: String?, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public var json: JSONValue {
        // An assistant turn with only tool calls carries "" (llama.cpp's server refuses null).
        var pairs: [(String, JSONValue?)] = [("role", .string(role.rawValue)), ("content", .string(content ?? ""))]
        if !toolCalls.isEmpty {
            pairs.append(("tool_calls", .array(toolCalls.map { call in
                .object([
                    ("id", .string(call.id)), ("type", "function"),
                    ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))])),
                ])
            })))
        }
        pairs.append(("tool_call_id", toolCallID.map(JSONValue.string)))
        return .compactObject(pairs)
    }
}

/// A tool call the model asked for: `arguments` is the JSON text the model produced.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
