import CoreMetrics

extension AgentRunner {
    /// One agent step's conversation with its model: the model, the messages so far, and the tools it may call.
    /// Lives in the step's task only.
    final class Conversation {
        let agent: AgentDefinition
        let model: any ChatModel
        let ref: ModelRef
        let tools: [any Tool]
        let byName: [String: any Tool]
        /// Counts the model's streamed chunks (nil without metrics).
        let streamed: Counter?
        var messages: [ChatMessage] = []
        private var firstCall = true

        init(_ agent: AgentDefinition, model: any ChatModel, ref: ModelRef, tools: [any Tool], input: String, streamed: Counter?) {
            self.agent = agent
            self.model = model
            self.ref = ref
            self.tools = tools
            self.byName = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            self.streamed = streamed
            if !agent.instructions.isEmpty { messages.append(ChatMessage(role: .system, content: agent.instructions)) }
            messages.append(ChatMessage(role: .user, content: input))
        }

        /// The next model call's request: the tools are offered unless the run's tool budget is spent, and the
        /// agent's `tool_choice` applies to the first call only.
        func request(offerTools: Bool) -> ChatRequest {
            defer { firstCall = false }
            return ChatRequest(
                model: ref.model, messages: messages, tools: offerTools ? tools.map(\.spec) : [],
                toolChoice: firstCall ? AgentRunner.toolChoice(agent.toolChoice) : nil,
                temperature: agent.temperature, maxTokens: agent.maxTokens)
        }

        /// The tools' results, in the order of the calls.
        func answer(_ calls: [ToolCall], _ results: [String]) {
            for (call, result) in zip(calls, results) {
                messages.append(ChatMessage(role: .tool, content: result, toolCallID: call.id))
            }
        }
    }
}
