import Foundation

/// The workflows the daemon serves, loaded from a directory: good files are served, bad ones reported.
public struct WorkflowCatalog: Sendable {
    public private(set) var workflows: [String: WorkflowDefinition]
    /// One entry per file that was refused.
    public private(set) var problems: [ConfigError]

    public init(workflows: [WorkflowDefinition] = [], problems: [ConfigError] = []) {
        self.workflows = Dictionary(workflows.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.problems = problems
    }

    /// Loads every `*.yaml`, `*.yml` and `*.json` file in `directory`, in name order.
    public static func load(directory: String, parser: WorkflowParser) -> WorkflowCatalog {
        var catalog = WorkflowCatalog()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            catalog.problems.append(ConfigError(file: directory, line: nil, reason: "cannot read the workflows directory: \((error as NSError).localizedDescription)"))
            return catalog
        }
        for name in names where [".yaml", ".yml", ".json"].contains(where: { name.hasSuffix($0) }) && !name.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let workflow = try parser.parse(path: path)
                if let other = catalog.workflows[workflow.name] {
                    catalog.problems.append(ConfigError(file: path, line: nil, reason: "workflow name '\(workflow.name)' is already used by \(other.file)"))
                    continue
                }
                catalog.workflows[workflow.name] = workflow
            } catch {
                catalog.problems.append(error)
            }
        }
        return catalog
    }

    /// Workflows sorted by name.
    public var sorted: [WorkflowDefinition] { workflows.values.sorted { $0.name < $1.name } }
}
