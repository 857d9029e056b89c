import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl version`: this client's version and the daemon's (hello).
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show agnoctl's and agnod's versions, and who agnod thinks you are.")

        @OptionGroup var options: ClientOptions

        @Flag(help: "Print the raw hello result.")
        var json = false

        func run() throws {
            let connection = try options.connect()
            let result: JSONValue
            do {
                result = try connection.result(.hello(HelloRequest(protocolVersion: 1, client: "agnoctl/\(ClientVersion.string)")))
            } catch {
                throw Output.fail(error)
            }
            if json { return Output.json(result) }
            Output.out("""
                agnoctl \(ClientVersion.string)
                server  \(result["server"]?.stringValue ?? "?") (protocol \(result["protocol"]?.intValue ?? 0))
                you     \(result["user"]?.stringValue ?? "?") (uid \(result["uid"]?.intValue ?? -1))\((result["admin"]?.boolValue ?? false) ? ", admin" : "")

                """)
        }
    }
}
