import AgnoProtocol

/// Waits a number of seconds: a harmless tool that blocks, so a cancel during a tool call can be seen to stop it.
public struct SleepTool: Tool {
    public init() {}
    public var name: String { "sleep" }
    public var description: String { "Wait for the given number of seconds (at most 3600) and then return." }
    public var parameters: JSONValue { .numberArguments([("seconds", "How long to wait")]) }

    public func call(_ arguments: JSONValue) async throws -> String {
        let seconds = try arguments.number("seconds")
        guard seconds >= 0, seconds <= 3600 else { throw ToolError("seconds must be from 0 to 3600") }
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return JSONValue.object([("slept_seconds", .double(seconds))]).encodedString
    }
}
