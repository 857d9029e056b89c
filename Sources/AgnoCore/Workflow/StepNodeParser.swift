import AgnoCEL
import AgnoProtocol

/// Reads a workflow's `steps:` tree: agent steps (no `type`, or `type: Step`) and agno's Steps, Parallel,
/// Condition, Loop and Router nodes, nested in any way. Refuses, with the line: unknown types and keys,
/// duplicate names, missing parts, CEL that does not compile or reads an unknown variable, and templates
/// naming steps that do not exist.
struct StepNodeParser {
    let agents: [String: AgentDefinition]

    static let commonKeys = ["type", "name", "description", "max_retries", "timeout", "on_error", "human_review"]
    static let keysByType: [String: [String]] = [
        "Step": ["agent", "input"], "Steps": ["steps"], "Parallel": ["steps"], "Condition": ["evaluator", "steps", "else_steps"],
        "Loop": ["steps", "max_iterations", "end_condition"], "Router": ["selector", "choices"],
    ]
    static let types = ["Step", "Steps", "Parallel", "Condition", "Loop", "Router"]

    /// The top-level list, with names checked to be unique over the whole tree and templates checked.
    func parseTop(_ value: YAMLValue) throws(ConfigError) -> [StepNode] {
        let nodes = try parseList(value, what: "'steps'")
        var seen: [String: Int?] = [:]
        for node in nodes.flatMap(\.subtree) {
            if let first = seen[node.name] {
                throw ConfigError(
                    file: value.file, line: node.line,
                    reason: "step name '\(node.name)' is used twice (first on line \(first.map(String.init) ?? "?"))")
            }
            seen[node.name] = node.line
        }
        for node in nodes.flatMap(\.subtree) {
            guard case .agent(let step) = node.kind, let template = step.input else { continue }
            for name in template.stepNames where seen[name] == nil {
                throw ConfigError(
                    file: value.file, line: node.line,
                    reason: "the input of step '\(node.name)' reads {{steps.\(name).content}}, but there is no step '\(name)'")
            }
        }
        return nodes
    }

    private func parseList(_ value: YAMLValue, what: String) throws(ConfigError) -> [StepNode] {
        let items = try value.sequence(what)
        if items.isEmpty { throw value.error("\(what) is empty: it needs at least one step") }
        var nodes: [StepNode] = []
        for (i, item) in items.enumerated() { nodes.append(try parseNode(item, position: "\(what), item \(i + 1)")) }
        return nodes
    }

    private func parseNode(_ value: YAMLValue, position: String) throws(ConfigError) -> StepNode {
        let entries = try value.keyedMapping("the step at \(position)")
        var type = "Step"
        if let t = entries.first(where: { $0.key == "type" }) {
            type = try t.value.string("'type'")
            guard Self.types.contains(type) else {
                throw t.value.error("unknown step type '\(type)' (types: \(Self.types.joined(separator: ", ")))")
            }
        }
        let name = try entries.first { $0.key == "name" }.map { e throws(ConfigError) in try e.value.string("'name'") }
        let label = name.map { "step '\($0)'" } ?? "the step at \(position)"
        let allowed = Self.commonKeys + Self.keysByType[type]!
        var options = NodeOptions()
        var description: String?
        var fields: [String: YAMLValue] = [:]
        for (key, keyNode, v) in entries {
            guard allowed.contains(key) else {
                throw ConfigError.unknownKey(key, keyNode, in: "\(label) (\(type))", known: allowed)
            }
            switch key {
            case "max_retries":
                options.maxRetries = try v.int("'max_retries' of \(label)")
                guard (0...100).contains(options.maxRetries) else { throw v.error("'max_retries' of \(label) must be 0 to 100") }
            case "timeout":
                let seconds = try v.duration("'timeout' of \(label)")
                guard seconds > 0 else { throw v.error("'timeout' of \(label) must be more than 0") }
                options.timeout = seconds
            case "on_error":
                let raw = try v.string("'on_error' of \(label)")
                guard let policy = StepErrorPolicy(rawValue: raw) else {
                    throw v.error("'on_error' of \(label) must be 'fail' or 'skip', not '\(raw)'")
                }
                options.onError = policy
            case "description": description = v.isNull ? nil : try v.string("'description' of \(label)")
            case "human_review": options.humanReview = try HumanReviewParser().parse(v, label: label, type: type)
            case "type", "name": break
            default: fields[key] = v
            }
        }
        if let name, name.isEmpty || name.contains(where: { "/[]".contains($0) }) {
            throw value.error("step name '\(name)' must not be empty nor contain '/', '[' or ']'")
        }
        if type != "Step" && name == nil { throw value.error("the \(type) at \(position) needs a 'name'") }
        let kind = try parseKind(type, fields, label: label, at: value)
        if case .router(let router) = kind, var review = options.humanReview, review.requiresUserInput {
            // A Router that asks for input asks which choice to take (agno's user selection).
            if review.userInputSchema.isEmpty {
                review.userInputSchema = [
                    InputField(
                        name: "route", type: .string, required: true, description: "the choice to take", choices: router.choices.map(\.name)
                    )
                ]
            }
            options.humanReview = review
        }
        var nodeName = name ?? ""
        if case .agent(let step) = kind, name == nil { nodeName = step.agent }
        return StepNode(name: nodeName, kind: kind, options: options, description: description, line: value.line)
    }

    private func parseKind(_ type: String, _ f: [String: YAMLValue], label: String, at node: YAMLValue) throws(ConfigError) -> StepNode.Kind
    {
        func required(_ key: String) throws(ConfigError) -> YAMLValue {
            guard let v = f[key] else { throw node.error("\(label) (\(type)) has no '\(key)'") }
            return v
        }
        switch type {
        case "Step":
            let agentValue = try required("agent")
            let agent = try agentValue.string("'agent' of \(label)")
            guard agents[agent] != nil else {
                throw agentValue.error(
                    "\(label) uses agent '\(agent)', which is not under 'agents' (have: \(agents.keys.sorted().joined(separator: ", ")))")
            }
            var template: InputTemplate?
            if let v = f["input"] {
                let source = try v.string("'input' of \(label)")
                do { template = try InputTemplate(source) } catch { throw v.error("'input' of \(label): \(error.message)") }
            }
            return .agent(AgentStep(agent: agent, input: template))
        case "Steps": return .steps(try parseList(try required("steps"), what: "'steps' of \(label)"))
        case "Parallel": return .parallel(try parseList(try required("steps"), what: "'steps' of \(label)"))
        case "Condition":
            let evaluator = try expression(
                try required("evaluator"), key: "evaluator", label: label, variables: WorkflowExpression.conditionVariables, allowBool: true
            )
            let steps = try parseList(try required("steps"), what: "'steps' of \(label)")
            let elseSteps = try f["else_steps"].map { v throws(ConfigError) in try parseList(v, what: "'else_steps' of \(label)") } ?? []
            return .condition(ConditionNode(evaluator: evaluator, steps: steps, elseSteps: elseSteps))
        case "Loop":
            let maxValue = try required("max_iterations")
            let max = try maxValue.int("'max_iterations' of \(label)")
            guard (1...10_000).contains(max) else { throw maxValue.error("'max_iterations' of \(label) must be 1 to 10000") }
            let end = try f["end_condition"].map { v throws(ConfigError) in
                try expression(v, key: "end_condition", label: label, variables: WorkflowExpression.loopVariables, allowBool: true)
            }
            return .loop(
                LoopNode(steps: try parseList(try required("steps"), what: "'steps' of \(label)"), maxIterations: max, endCondition: end))
        case "Router":
            let selectorValue = try required("selector")
            let selector = try expression(
                selectorValue, key: "selector", label: label, variables: WorkflowExpression.routerVariables, allowBool: false)
            let choices = try parseList(try required("choices"), what: "'choices' of \(label)")
            let names = choices.map(\.name)
            for literal in selector.resultLiterals ?? [] where !names.contains(literal) {
                throw selectorValue.error(
                    "the selector of \(label) can choose '\(literal)', which is not one of its choices (\(names.joined(separator: ", ")))")
            }
            return .router(RouterNode(selector: selector, choices: choices))
        default:
            throw node.error("unknown step type '\(type)'")
        }
    }

    private func expression(_ v: YAMLValue, key: String, label: String, variables: Set<String>, allowBool: Bool) throws(ConfigError)
        -> WorkflowExpression
    {
        if allowBool, v.isPlainScalar, let b = try? v.bool("'\(key)'") { return .constant(b) }
        let source = try v.string("'\(key)' of \(label)")
        do {
            return try WorkflowExpression.compile(source, variables: variables)
        } catch {
            let known = variables.sorted().joined(separator: ", ")
            throw v.error("'\(key)' of \(label) is not valid CEL: \(error) (variables here: \(known))")
        }
    }
}
