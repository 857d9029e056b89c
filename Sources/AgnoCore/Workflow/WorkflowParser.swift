/// Reads one workflow file (YAML or JSON) into a `WorkflowDefinition`, refusing what cannot run with file:line: reason.
public struct WorkflowParser: Sendable {
    /// Tool names an agent may list.
    public var knownTools: Set<String>
    /// Tool servers whose tools are not known yet (they have not started): any `server.tool` of theirs is
    /// accepted, and checked again when the workflows are reloaded after the server lists its tools.
    public var unlistedServers: Set<String>

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
        let top = try doc.root.mapping("a workflow file")
        var name = defaultName
        var description = ""
        var agents: [String: AgentDefinition] = [:]
        var agentsNode: YAMLValue?
        var stepsNode: YAMLValue?
        var toolCallLimit: Int?
        for (key, value) in top {
            switch key {
            case "name": name = try value.string("'name'")
            case "description": description = value.isNull ? "" : try value.string("'description'")
            case "agents": agentsNode = value
            case "steps": stepsNode = value
            case "tool_call_limit":
                toolCallLimit = try value.int("'tool_call_limit'")
                if toolCallLimit! < 0 { throw value.error("'tool_call_limit' must be 0 or more") }
            default: break  // unknown keys are allowed, so newer files load in older daemons
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
        let stepValues = try stepsNode.sequence("'steps'")
        if stepValues.isEmpty { throw stepsNode.error("'steps' is empty: a workflow needs at least one step") }
        var steps: [StepNode] = []
        var seen: Set<String> = []
        for (index, value) in stepValues.enumerated() {
            let step = try parseStep(index: index, value, agents: agents)
            for leaf in step.leafNames {
                if !seen.insert(leaf).inserted { throw value.error("step name '\(leaf)' is used twice") }
            }
            steps.append(step)
        }
        return WorkflowDefinition(name: name, description: description, agents: agents, steps: steps, toolCallLimit: toolCallLimit, file: doc.file)
    }

    private func parseAgent(key: String, _ value: YAMLValue) throws(ConfigError) -> AgentDefinition {
        var agent = AgentDefinition(key: key, name: key)
        for (k, v) in try value.mapping("agent '\(key)'") {
            switch k {
            case "name": agent.name = try v.string("'name' of agent '\(key)'")
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
                if let lines = try? v.stringList("'instructions'"), !v.isNull { agent.instructions = lines.joined(separator: "\n") }
                else if !v.isNull { throw v.error("'instructions' of agent '\(key)' must be a string or a list of strings") }
            case "tool_choice": agent.toolChoice = try v.string("'tool_choice' of agent '\(key)'")
            case "temperature": agent.temperature = try v.double("'temperature' of agent '\(key)'")
            case "max_tokens": agent.maxTokens = try v.int("'max_tokens' of agent '\(key)'")
            default: break
            }
        }
        return agent
    }

    private func parseStep(index: Int, _ value: YAMLValue, agents: [String: AgentDefinition]) throws(ConfigError) -> StepNode {
        var name: String?
        var agent: String?
        var description: String?
        var onError = StepErrorPolicy.fail
        for (k, v) in try value.mapping("step \(index + 1)") {
            switch k {
            case "name": name = try v.string("'name' of step \(index + 1)")
            case "agent": agent = try v.string("'agent' of step \(index + 1)")
            case "description": description = v.isNull ? nil : try v.string("'description' of step \(index + 1)")
            case "on_error":
                let raw = try v.string("'on_error' of step \(index + 1)")
                guard let policy = StepErrorPolicy(rawValue: raw) else { throw v.error("'on_error' must be 'fail' or 'skip', not '\(raw)'") }
                onError = policy
            case "parallel", "condition", "loop", "router", "steps":
                throw v.error("step \(index + 1): '\(k)' steps are not supported yet (only agent steps)")
            default: break
            }
        }
        guard let agent else { throw value.error("step \(index + 1) has no 'agent'") }
        guard agents[agent] != nil else {
            throw value.error("step \(index + 1) uses agent '\(agent)', which is not under 'agents' (have: \(agents.keys.sorted().joined(separator: ", ")))")
        }
        let stepName = name ?? agent
        return .agent(AgentStep(name: stepName, agent: agent, description: description, onError: onError))
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E
        } && name != "." && name != ".."
    }

    static func stem(of path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        for ext in [".yaml", ".yml", ".json"] where base.hasSuffix(ext) { return String(base.dropLast(ext.count)) }
        return base
    }
}
