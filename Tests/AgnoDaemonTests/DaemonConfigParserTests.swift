import AgnoCore
import Testing

@testable import AgnoDaemon

@Suite struct DaemonConfigParserTests {
    @Test func theDesignCardsExampleLoads() throws {
        let config = try DaemonConfigParser.parse(
            text: """
                socket: /run/agnod/agnod.sock
                state_dir: /var/lib/agnod
                workflows_dir: /etc/agnod/workflows
                admin_group: agnod-admin
                providers:
                  local:
                    base_url: http://127.0.0.1:8181/v1
                  openai:
                    base_url: https://api.openai.com/v1
                    api_key_env: OPENAI_API_KEY
                default_model: local:smollm2
                limits:
                  active_runs: 64
                  active_runs_per_user: 8
                  queued_runs_per_user: 1000
                  connections_per_user: 64
                mcp_servers:
                  time:
                    command: [/opt/agnod/mcp/bin/mcp-server-time]
                web_search:
                  backend: duckduckgo
                """, file: "agnod.yaml")
        #expect(config.socket == "/run/agnod/agnod.sock")
        #expect(config.providers.map(\.name) == ["local", "openai"])
        #expect(config.providers[1].apiKeyEnv == "OPENAI_API_KEY")
        #expect(config.providers[0].hint?.contains("agnod-model") == true)
        #expect(config.defaultModel == "local:smollm2")
        #expect(config.limits == RunLimits(activeRuns: 64, activeRunsPerUser: 8, queuedRunsPerUser: 1000))
        #expect(config.connectionsPerUser == 64)
    }

    @Test func jsonLoadsAndOverridesWin() throws {
        var config = try DaemonConfigParser.parse(
            text: #"{"socket":"/a.sock","state_dir":"/s","providers":{"p":{"base_url":"http://h:1/v1"}}}"#, file: "c.json")
        config.apply(.init(socket: "/b.sock", workflowsDir: "/w"))
        #expect(config.socket == "/b.sock" && config.stateDir == "/s" && config.workflowsDir == "/w")
    }

    @Test func anUnknownKeyAnywhereIsRefusedWithItsLineAndASuggestion() throws {
        let top = error("socket: /tmp/a.sock\nadmin_grup: wheel\n")
        #expect(
            top?.line == 2 && top?.reason.contains("unknown key 'admin_grup'") == true
                && top?.reason.contains("did you mean 'admin_group'") == true)
        let nested = error("limits:\n  active_runs: 4\n  activ_runs_per_user: 2\n")
        #expect(nested?.line == 3 && nested?.reason.contains("did you mean 'active_runs_per_user'") == true)
        let provider = error("providers:\n  local:\n    base_url: http://127.0.0.1:1/v1\n    api_key_evn: KEY\n")
        #expect(provider?.line == 4 && provider?.reason.contains("provider 'local'") == true)
        // DESIGN.md puts web_search at the top level; that place is taken as well as tools.web_search.
        let config = try DaemonConfigParser.parse(
            text: "web_search:\n  backend: searxng\n  base_url: http://127.0.0.1:8888\n", file: "/etc/agnod/agnod.yaml")
        #expect(config.webSearch.baseURL == "http://127.0.0.1:8888")
    }

    @Test func wrongTypesAndValuesAreReportedWithTheirLine() {
        #expect(error("limits:\n  active_runs: many\n")?.line == 2)
        #expect(error("limits:\n  active_runs: 0\n")?.reason.contains("1 or more") == true)
        #expect(error("providers:\n  p:\n    base_url: ftp://x\n")?.reason.contains("http") == true)
        #expect(error("providers:\n  p: {}\n")?.reason.contains("base_url") == true)
        #expect(error("default_model: nowhere:m\n")?.reason.contains("nowhere") == true)
    }

    @Test func anAPIKeyInTheFileIsRefused() {
        let e = error("providers:\n  openai:\n    base_url: https://api.openai.com/v1\n    api_key: sk-12345\n")
        #expect(e?.line == 4)
        #expect(e?.reason.contains("api_key_env") == true)
        #expect(e?.description.contains("sk-12345") == false)
    }

    @Test func webSearchSettingsAreReadAndCheckedWithTheirLine() throws {
        let config = try DaemonConfigParser.parse(
            text: """
                tools:
                  web_search:
                    backend: searxng
                    base_url: http://127.0.0.1:8888
                    timeout: 3s
                    max_results: 4
                    default_results: 9
                """, file: "t.yaml")
        #expect(config.webSearch.backend == .searxng)
        #expect(config.webSearch.resolvedBaseURL == "http://127.0.0.1:8888")
        #expect(config.webSearch.timeout == 3)
        #expect(config.webSearch.defaultResults == 4)  // never more than max_results
        #expect(DaemonConfig().webSearch.backend == .duckduckgo)

        let bad = error("tools:\n  web_search:\n    backend: google\n")
        #expect(bad?.line == 3)
        #expect(bad?.reason == "'tools.web_search.backend' must be duckduckgo, searxng, brave, not 'google'")
        #expect(error("tools:\n  web_search:\n    backend: searxng\n")?.reason.contains("needs a base_url") == true)
        #expect(error("tools:\n  web_search:\n    base_url: ftp://x\n")?.line == 3)
        let key = error("tools:\n  web_search:\n    backend: brave\n    api_key: BSA-secret\n")
        #expect(key?.line == 4)
        #expect(key?.description.contains("BSA-secret") == false)
    }
}

extension DaemonConfigParserTests {
    @Test func mcpServersAreStdioCommandsOrStreamableHTTPURLsCheckedWithTheirLine() throws {
        let config = try DaemonConfigParser.parse(
            text: """
                mcp_servers:
                  time:
                    command: [/opt/mcp/bin/mcp-server-time, --local-timezone, UTC]
                    call_timeout: 5s
                  remote:
                    url: https://tools.example.org/mcp
                    headers: {X-Team: platform}
                    bearer_token_env: TOOLS_TOKEN
                    cancel_grace: 1s
                """, file: "m.yaml")
        let time = try #require(config.mcpServers.first { $0.name == "time" })
        #expect(time.command == "/opt/mcp/bin/mcp-server-time" && time.arguments == ["--local-timezone", "UTC"] && time.url == nil)
        #expect(time.callTimeout == 5)
        let remote = try #require(config.mcpServers.first { $0.name == "remote" })
        #expect(remote.url == "https://tools.example.org/mcp" && remote.command.isEmpty)
        #expect(remote.headers == ["X-Team": "platform"] && remote.bearerTokenEnv == "TOOLS_TOKEN" && remote.cancelGrace == 1)

        let both = error("mcp_servers:\n  x:\n    command: [a]\n    url: http://h/mcp\n")
        #expect(both?.reason.contains("both 'command' and 'url'") == true)
        #expect(error("mcp_servers:\n  x:\n    url: ftp://h/mcp\n")?.reason.contains("http:// or https://") == true)
        #expect(error("mcp_servers:\n  x: {}\n")?.reason.contains("no 'command' (or 'url')") == true)
        let secret = error("mcp_servers:\n  x:\n    url: http://h/mcp\n    headers:\n      Authorization: Bearer abc123456\n")
        #expect(secret?.line == 5 && secret?.reason.contains("bearer_token_env") == true)
        #expect(secret?.description.contains("abc123456") == false)
    }
}
