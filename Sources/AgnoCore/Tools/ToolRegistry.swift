/// The tools agents may list by name: each name is a toolkit of one or more functions.
public struct ToolRegistry: Sendable {
    private var toolkits: [String: [any Tool]]

    public init(toolkits: [String: [any Tool]] = [:]) {
        self.toolkits = toolkits
    }

    /// The built-ins: `calculator`, `datetime`, `sleep`.
    public static var builtIn: ToolRegistry {
        ToolRegistry(toolkits: [
            "calculator": CalculatorTools.all,
            "datetime": [DateTimeTool()],
            "sleep": [SleepTool()],
        ])
    }

    public mutating func register(_ name: String, _ tools: [any Tool]) { toolkits[name] = tools }

    public var names: Set<String> { Set(toolkits.keys) }

    /// The functions behind the listed names, each function once.
    public func tools(named names: [String]) -> [any Tool] {
        var seen: Set<String> = []
        return names.flatMap { toolkits[$0] ?? [] }.filter { seen.insert($0.name).inserted }
    }
}
