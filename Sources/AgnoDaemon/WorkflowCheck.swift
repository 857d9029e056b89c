import AgnoCore
import Foundation

/// `agnod --check [FILE…]`, as `nginx -t`: validates the configuration and workflow files without serving
/// them. MCP servers are not started, so any `server.tool` of a configured server is accepted.
public enum WorkflowCheck {
    /// One line per file (`FILE: ok …` or `FILE:LINE: reason`); `ok` is false when any file was refused.
    public static func run(config: DaemonConfig, files: [String]) -> (lines: [String], ok: Bool) {
        let parser = WorkflowParser(knownTools: ToolHost.knownNames, unlistedServers: Set(config.mcpServers.map(\.name)))
        var lines: [String] = []
        var ok = true
        var paths = files
        if paths.isEmpty {
            do {
                paths = try WorkflowCatalog.files(in: config.workflowsDir)
            } catch {
                return (["\(error)"], false)
            }
        }
        for path in paths {
            do {
                let workflow = try parser.parse(path: path)
                lines.append(
                    "\(path): ok (workflow '\(workflow.name)', \(workflow.nodes.count) \(workflow.nodes.count == 1 ? "node" : "nodes"))")
            } catch {
                ok = false
                lines.append("\(error)")
            }
        }
        return (lines, ok)
    }
}
