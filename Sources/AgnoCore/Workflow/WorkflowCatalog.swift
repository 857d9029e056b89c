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
        let paths: [String]
        do {
            paths = try files(in: directory)
        } catch {
            catalog.problems.append(error)
            return catalog
        }
        for path in paths {
            do {
                let workflow = try parser.parse(path: path)
                if let other = catalog.workflows[workflow.name] {
                    catalog.problems.append(
                        ConfigError(file: path, line: nil, reason: "workflow name '\(workflow.name)' is already used by \(other.file)"))
                    continue
                }
                catalog.workflows[workflow.name] = workflow
            } catch {
                catalog.problems.append(error)
            }
        }
        return catalog
    }

    /// The workflow files of `directory` (`*.yaml`, `*.yml`, `*.json`, not hidden), in name order.
    public static func files(in directory: String) throws(ConfigError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw ConfigError(
                file: directory, line: nil, reason: "cannot read the workflows directory: \((error as NSError).localizedDescription)")
        }
        return names.filter { name in [".yaml", ".yml", ".json"].contains { name.hasSuffix($0) } && !name.hasPrefix(".") }
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Workflows sorted by name.
    public var sorted: [WorkflowDefinition] { workflows.values.sorted { $0.name < $1.name } }
}

extension WorkflowCatalog {
    /// This catalog, plus the `previous` version of every workflow whose file was refused now: a reload that
    /// meets a broken file keeps serving what that file held before. Returns the catalog and the names kept.
    public func keepingRefused(from previous: WorkflowCatalog) -> (catalog: WorkflowCatalog, kept: [String]) {
        var merged = self
        var kept: [String] = []
        for problem in problems {
            for old in previous.workflows.values where old.file == problem.file && merged.workflows[old.name] == nil {
                merged.workflows[old.name] = old
                kept.append(old.name)
            }
        }
        return (merged, kept.sorted())
    }
}
