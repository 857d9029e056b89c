import AgnoClient
import AgnoProtocol
import ArgumentParser
import Foundation

extension AgnoctlCommand {
    /// `agnoctl workflows`.
    struct Workflows: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workflows agnod serves.")

        @OptionGroup var options: ClientOptions

        @Flag(help: "Print the raw result.")
        var json = false

        @Option(
            name: .customLong("check"),
            help:
                "Check these workflow files against the running agnod (its tools and models) without loading them; exit 1 if any is refused."
        )
        var check: [String] = []

        func run() throws {
            let connection = try options.connect()
            if !check.isEmpty { return try checkFiles(connection) }
            let result: JSONValue
            do {
                result = try connection.result(.workflows(WorkflowsRequest()))
            } catch {
                throw Output.fail(error)
            }
            if json { return Output.json(result) }
            for wf in result["workflows"]?.arrayValue ?? [] {
                let steps = (wf["steps"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " → ")
                Output.out("\(wf["name"]?.stringValue ?? "?")\t\(steps)\t\(wf["description"]?.stringValue ?? "")\n")
            }
        }
    }
}

extension AgnoctlCommand.Workflows {
    /// `--check FILE…`: one line per file, `FILE: ok …` or `FILE:LINE: reason`, as `nginx -t` prints.
    func checkFiles(_ connection: AgnoConnection) throws {
        var allGood = true
        for path in check {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                Output.error("\(path): cannot read: \(error.localizedDescription)")
                allGood = false
                continue
            }
            let result: JSONValue
            do {
                result = try connection.result(.check(CheckRequest(file: path, text: text)))
            } catch {
                throw Output.fail(error)
            }
            if json {
                Output.json(result)
            } else if result["ok"]?.boolValue == true {
                Output.out("\(path): ok (workflow '\(result["workflow"]?.stringValue ?? "?")', \(result["nodes"]?.intValue ?? 0) nodes)\n")
            } else {
                for problem in result["problems"]?.arrayValue ?? [] {
                    let line = problem["line"]?.intValue.map { ":\($0)" } ?? ""
                    Output.out("\(problem["file"]?.stringValue ?? path)\(line): \(problem["reason"]?.stringValue ?? "?")\n")
                }
            }
            if !json {
                for warning in result["warnings"]?.arrayValue ?? [] { Output.err("\(path): warning: \(warning.stringValue ?? "")\n") }
            }
            if result["ok"]?.boolValue != true { allGood = false }
        }
        if !allGood { throw ExitCode(1) }
    }
}
