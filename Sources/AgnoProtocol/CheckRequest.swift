/// `check`: validates a workflow file's text against this daemon (its tools, MCP servers and model
/// providers) without loading it, as `nginx -t` does. The answer lists the problems; a bad file is not an error.
public struct CheckRequest: Sendable, Equatable {
    /// The file's name, for messages (`FILE:LINE: reason`); a `.json` name reads the text as JSON.
    public var file: String
    public var text: String

    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }

    init(_ p: Params) throws(ProtocolError) {
        file = try p.optionalString("file") ?? "workflow.yaml"
        text = try p.string("text")
    }

    var parameters: [(String, JSONValue?)] { [("file", .string(file)), ("text", .string(text))] }
}
