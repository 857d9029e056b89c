import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl metrics`: agnod's metrics as Prometheus text (what `GET /metrics` serves).
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print agnod's metrics (Prometheus text format).")

        @OptionGroup var options: ClientOptions

        func run() throws {
            let connection = try options.connect()
            do {
                Output.out(try connection.result(.metrics(MetricsRequest()))["text"]?.stringValue ?? "")
            } catch {
                throw Output.fail(error)
            }
        }
    }
}
