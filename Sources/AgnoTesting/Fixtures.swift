import AgnoClient
import AgnoProtocol

/// Workflow files and helpers the tests share.
public enum Fixtures {
    /// A two-step workflow (research, then writing), each step's agent on the given model.
    public static func twoStep(_ name: String, first: String, second: String, tools: [String] = [], extra: String = "") -> String {
        """
        name: \(name)
        description: test workflow \(name)
        \(extra)
        agents:
          researcher:
            name: Research Agent
            model: \(first)
            tools: [\(tools.joined(separator: ", "))]
            instructions: Research the given topic and provide key facts and insights.
          writer:
            name: Writing Agent
            model: \(second)
            instructions: Write a comprehensive article based on the research provided.
        steps:
          - name: research
            agent: researcher
            description: Research the topic
          - name: writing
            agent: writer
            description: Write the article
        """
    }

    /// A one-step workflow.
    public static func oneStep(_ name: String, model: String, tools: [String] = [], toolChoice: String? = nil, onError: String? = nil) -> String {
        """
        name: \(name)
        agents:
          solo:
            name: Solo Agent
            model: \(model)
            tools: [\(tools.joined(separator: ", "))]
            \(toolChoice.map { "tool_choice: \($0)" } ?? "")
            instructions: Do the task.
        steps:
          - name: only
            agent: solo
            \(onError.map { "on_error: \($0)" } ?? "")
        """
    }
}

/// Reading a stream request's frames until its `end`.
public struct StreamCapture: Sendable {
    public var events: [(seq: Int, event: JSONValue)] = []
    public var end: RunSummary?
    public var error: ProtocolError?

    public var names: [String] { events.compactMap { $0.event["event"]?.stringValue } }
    public var seqs: [Int] { events.map(\.seq) }

    public init() {}
}

extension AgnoConnection {
    /// Reads replies for `id` until `end` or an error, or until `stop` says so after an event.
    public func capture(_ id: RequestID, into capture: inout StreamCapture, stop: (StreamCapture) -> Bool = { _ in false }) throws {
        while true {
            switch try reply(for: id) {
            case .event(_, let seq, let event):
                capture.events.append((seq, event))
                if stop(capture) { return }
            case .end(_, let run):
                capture.end = run
                return
            case .error(_, let error):
                capture.error = error
                return
            case .result:
                continue
            }
        }
    }

    /// Every raw frame for `id` until its `end` (inclusive).
    public func rawFrames(_ id: RequestID) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while true {
            let raw = try rawReply(for: id)
            lines.append(raw.line)
            switch raw.reply {
            case .end, .error: return lines
            default: continue
            }
        }
    }

    /// Starts a run with `stream: true`; returns its id and the request id to read frames for.
    public func startStreaming(_ workflow: String, input: String, runID: String? = nil, onDisconnect: DisconnectPolicy = .continue) throws -> (runID: String, requestID: RequestID) {
        let id = try send(.start(StartRequest(workflow: workflow, input: input, stream: true, runID: runID, onDisconnect: onDisconnect)))
        switch try reply(for: id) {
        case .result(_, let result): return (result["run_id"]?.stringValue ?? "", id)
        case .error(_, let error): throw error
        default: throw TestError("start did not answer with a result")
        }
    }

    /// The `result` of a request, or its error thrown.
    public func resultOf(_ request: Request) throws -> JSONValue {
        switch try call(request) {
        case .result(_, let json): return json
        case .error(_, let error): throw error
        case let other: throw TestError("unexpected reply \(other)")
        }
    }

    /// The error a request answers with (fails the test's expectation by throwing if it succeeds).
    public func errorOf(_ request: Request) throws -> ProtocolError {
        switch try call(request) {
        case .error(_, let error): return error
        case let other: throw TestError("expected an error, got \(other)")
        }
    }
}
