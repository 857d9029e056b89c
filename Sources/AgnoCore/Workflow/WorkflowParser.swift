/// Reads one workflow file (YAML or JSON) into a `WorkflowDefinition`, refusing what cannot run with file:line: reason.
/// Unknown keys are refused too (a typo such as `on_eror:` must not be ignored). Step nodes: `StepNodeParser`.
public struct WorkflowParser: Sendable {
    /// Tool names an agent may list.
    public var knownTools: Set<String>
    /// Tool servers whose tools are not known yet (they have not started): any `server.tool` of theirs is
    /// accepted, and checked again when the workflows are reloaded after the server lists its tools.
    public var unlistedServers: Set<String>

    static let topKeys = ["name", "description", "agents", "steps", "tool_call_limit", "timeout", "on_restart"]
    static let agentKeys = ["name", "model", "tools", "instructions", "tool_choice", "temperature", "max_tokens", "description"]

    public init(knownTools: Set<String>, unlistedServers: Set<String> = []) {
        self.knownTools = knownTools
        self.unlistedServers = unlistedServers
    }

    func isKnown(_ tool: String) -> Bool {
        if knownTools.contains(tool) { return true }
        guard let dot = tool.firstIndex(of: ".") else { return false }
        return unlistedServers.contains(String(tool[..<dot])) && tool.index(after: dot) < tool.endIndex
    }

    public func parse(path: String) throws(ConfigError) -> WorkflowDefinition {
        try parse(YAMLDocument(contentsOf: path), defaultName: WorkflowParser.stem(of: path))
    }

    public func parse(text: String, file: String) throws(ConfigError) -> WorkflowDefinition {
        try parse(YAMLDocument(text: text, file: file), defaultName: WorkflowParser.stem(of: file))
    }

    func parse(_ doc: YAMLDocument, defaultName: String) throws(ConfigError) -> WorkflowDefinition {
        var name = defaultName
        var description = ""
        var agents: [String: AgentDefinition] = [:]
        var agentsNode: YAMLValue?
        var stepsNode: YAMLValue?
        var toolCallLimit: Int?
        var timeout: Double?
        var onRestart = WorkflowDefinition.RestartPolicy.resume
        for (key, keyNode, value) in try doc.root.keyedMapping("a workflow file") {
            switch key {
            case "name": name = try value.string("'name'")
            case "description": description = value.isNull ? "" : try value.string("'description'")
            case "agents": agentsNode = value
            case "steps": stepsNode = value
            case "tool_call_limit":
                toolCallLimit = try value.int("'tool_call_limit'")
                if toolCallLimit! < 0 { throw value.error("'tool_call_limit' must be 0 or more") }
            case "timeout":
                timeout = try value.duration("'timeout'")
                if timeout! <= 0 { throw value.error("'timeout' must be more than 0") }
            case "on_restart":
                let raw = try value.string("'on_restart'")
                guard let policy = WorkflowDefinition.RestartPolicy(rawValue: raw) else {
                    throw value.error("'on_restart' must be 'resume' or 'error', not '\(raw)'")
                }
                onRestart = policy
            default: throw ConfigError.unknownKey(key, keyNode, in: "a workflow file", known: Self.topKeys)
            }
        }
        guard WorkflowParser.isValidName(name) else {
            throw doc.root.error("workflow name '\(name)' must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        guard let agentsNode else { throw doc.root.error("missing 'agents': a mapping of agent name to agent") }
        for (key, value) in try agentsNode.mapping("'agents'") {
            agents[key] = try parseAgent(key: key, value)
        }
        guard let stepsNode else { throw doc.root.error("missing 'steps': a list of steps") }
        let steps = try StepNodeParser(agents: agents).parseTop(stepsNode)
        var definition = WorkflowDefinition(
            name: name, description: description, agents: agents, steps: steps, toolCallLimit: toolCallLimit,
            timeout: timeout, file: doc.file)
        definition.onRestart = onRestart
        definition.digest = doc.digest
        return definition
    }

    private func parseAgent(key: String, _ value: YAMLValue) throws(ConfigError) -> AgentDefinition {
        var agent = AgentDefinition(key: key, name: key)
        for (k, keyNode, v) in try value.keyedMapping("agent '\(key)'") {
            switch k {
            case "name": agent.name = try v.string("'name' of agent '\(key)'")
            case "description": _ = v.isNull ? "" : try v.string("'description' of agent '\(key)'")
            case "model":
                let model = try v.string("'model' of agent '\(key)'")
                guard model == "default" || ModelRef(model) != nil else {
                    throw v.error("'model' of agent '\(key)' must be 'default' or 'provider:model', not '\(model)'")
                }
                agent.model = model
            case "tools":
                agent.tools = v.isNull ? [] : try v.stringList("'tools' of agent '\(key)'")
                for tool in agent.tools where !isKnown(tool) {
                    throw v.error("agent '\(key)' uses unknown tool '\(tool)' (known: \(knownTools.sorted().joined(separator: ", ")))")
                }
            case "instructions":
                if let lines = try? v.stringList("'instructions'"), !v.isNull {
                    agent.instructions = lines.joined(separator: "\n")
                } else if !v.isNull {
                    throw v.error("'instructions' of agent '\(key)' must be a string or a list of strings")
                }
            case "tool_choice": agent.toolChoice = try v.string("'tool_choice' of agent '\(key)'")
            case "temperature": agent.temperature = try v.double("'temperature' of agent '\(key)'")
            case "max_tokens": agent.maxTokens = try v.int("'max_tokens' of agent '\(key)'")
            default: throw ConfigError.unknownKey(k, keyNode, in: "agent '\(key)'", known: Self.agentKeys)
            }
        }
        return agent
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E
            } && name != "." && name != ".."
    }

    static func stem(of path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        for ext in [".yaml", ".yml", ".json"] where base.hasSuffix(ext) { return String(base.dropLast(ext.count)) }
        return base
    }
}
