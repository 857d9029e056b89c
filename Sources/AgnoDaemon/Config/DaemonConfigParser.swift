import AgnoCore
import AgnoMCP
import AgnoPostgres
import AgnoProtocol
import AgnoStore
import Foundation

/// Reads `agnod.yaml` (or JSON). Unknown keys are ignored so older daemons read newer files; wrong types are
/// refused with file, line and reason.
public enum DaemonConfigParser {
    public static let defaultPath = "/etc/agnod/agnod.yaml"

    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        try parse(YAMLDocument(contentsOf: path))
    }

    public static func parse(text: String, file: String) throws(ConfigError) -> DaemonConfig {
        try parse(YAMLDocument(text: text, file: file))
    }

    static func parse(_ doc: YAMLDocument) throws(ConfigError) -> DaemonConfig {
        var config = DaemonConfig()
        var metricsNode: YAMLValue?
        config.file = doc.file
        if doc.root.isNull { return config }
        for (key, keyNode, value) in try doc.root.keyedMapping("the configuration") where !value.isNull {
            switch key {
            case "socket": config.socket = try value.string("'socket'")
            case "state_dir": config.stateDir = try value.string("'state_dir'")
            case "workflows_dir": config.workflowsDir = try value.string("'workflows_dir'")
            case "admin_group": config.adminGroup = try value.string("'admin_group'")
            case "default_model":
                let model = try value.string("'default_model'")
                guard ModelRef(model) != nil else { throw value.error("'default_model' must be provider:model, not '\(model)'") }
                config.defaultModel = model
            case "providers":
                for (name, entry) in try value.mapping("'providers'") {
                    config.providers.append(try provider(name: name, entry))
                }
            case "limits": try limits(value, into: &config)
            case "store": try store(value, into: &config)
            case "shutdown_grace": config.shutdownGrace = try value.duration("'shutdown_grace'")
            case "retention": try retention(value, into: &config)
            case "tool_call_limit": config.toolCallLimit = try positive(value, "'tool_call_limit'", allowZero: true)
            case "tools": try tools(value, into: &config)
            case "web_search": config.webSearch = try webSearch(value)  // DESIGN.md's place for it; `tools.web_search` too
            case "metrics":
                config.metrics = try metrics(value)
                metricsNode = value
            case "tracing": config.tracing = try tracing(value)
            case "mcp_servers":
                for (name, entry) in try value.mapping("'mcp_servers'") {
                    config.mcpServers.append(try mcpServer(name: name, entry))
                }
            default:
                throw ConfigError.unknownKey(
                    key, keyNode, in: "the configuration",
                    known: [
                        "socket", "state_dir", "workflows_dir", "admin_group", "default_model", "providers", "limits", "store",
                        "shutdown_grace", "retention", "tool_call_limit", "tools", "web_search", "mcp_servers", "metrics", "tracing",
                    ])
            }
        }
        if let metricsNode, config.metrics.listen == .unix(path: config.socket) {
            throw metricsNode.error("'metrics.listen' is agnod's own socket (\(config.socket)): give the metrics another path")
        }
        if let model = config.defaultModel, let ref = ModelRef(model), !config.providers.contains(where: { $0.name == ref.provider }) {
            throw ConfigError(
                file: doc.file, line: nil,
                reason: "'default_model' \(model) names provider '\(ref.provider)', which is not under 'providers'")
        }
        return config
    }

    /// `prices: {MODEL: {input: 2.5, output: 10}}`: per million tokens, neither negative.
    private static func prices(of provider: String, _ value: YAMLValue) throws(ConfigError) -> [String: ModelPrice] {
        var prices: [String: ModelPrice] = [:]
        for (model, entry) in try value.mapping("'prices' of provider '\(provider)'") {
            var price = ModelPrice(inputPerMillion: 0, outputPerMillion: 0)
            let what = "the price of '\(model)' (provider '\(provider)')"
            for (key, keyNode, v) in try entry.keyedMapping(what) {
                let number = try v.double("'\(key)' of \(what)")
                guard number >= 0, number.isFinite else { throw v.error("'\(key)' of \(what) must be a number ≥ 0, not \(number)") }
                switch key {
                case "input": price.inputPerMillion = number
                case "output": price.outputPerMillion = number
                default: throw ConfigError.unknownKey(key, keyNode, in: what, known: ["input", "output"])
                }
            }
            prices[model] = price
        }
        return prices
    }

    private static func provider(name: String, _ value: YAMLValue) throws(ConfigError) -> ProviderConfig {
        var baseURL: String?
        var provider = ProviderConfig(name: name, baseURL: "")
        for (key, keyNode, v) in try value.keyedMapping("provider '\(name)'") where !v.isNull {
            switch key {
            case "base_url": baseURL = try v.string("'base_url' of provider '\(name)'")
            case "api_key_env": provider.apiKeyEnv = try v.string("'api_key_env' of provider '\(name)'")
            case "api_key_credential": provider.apiKeyCredential = try v.string("'api_key_credential' of provider '\(name)'")
            case "api_key":
                throw v.error(
                    "provider '\(name)': put the API key in an environment variable (api_key_env) or a systemd credential (api_key_credential), not in this file"
                )
            case "connect_timeout": provider.connectTimeout = try v.double("'connect_timeout' of provider '\(name)'")
            case "read_timeout": provider.readTimeout = try v.double("'read_timeout' of provider '\(name)'")
            case "hint": provider.hint = try v.string("'hint' of provider '\(name)'")
            case "prices": provider.prices = try prices(of: name, v)
            case "stream_usage": provider.streamUsage = try v.bool("'stream_usage' of provider '\(name)'")
            default:
                throw ConfigError.unknownKey(
                    key, keyNode, in: "provider '\(name)'",
                    known: [
                        "base_url", "api_key_env", "api_key_credential", "api_key", "connect_timeout", "read_timeout", "hint", "prices",
                        "stream_usage",
                    ])
            }
        }
        guard let baseURL else { throw value.error("provider '\(name)' has no 'base_url'") }
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw value.error("'base_url' of provider '\(name)' must be an http:// or https:// URL, not '\(baseURL)'")
        }
        provider.baseURL = baseURL
        if provider.hint == nil {
            let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host ?? "")
            provider.hint =
                loopback
                ? "is the model server running and done loading? check `systemctl status agnod-model`"
                : "check the provider's base_url and the network"
        }
        return provider
    }

    private static func limits(_ value: YAMLValue, into config: inout DaemonConfig) throws(ConfigError) {
        for (key, keyNode, v) in try value.keyedMapping("'limits'") where !v.isNull {
            switch key {
            case "active_runs": config.limits.activeRuns = try positive(v, "'limits.active_runs'")
            case "active_runs_per_user": config.limits.activeRunsPerUser = try positive(v, "'limits.active_runs_per_user'")
            case "queued_runs_per_user": config.limits.queuedRunsPerUser = try positive(v, "'limits.queued_runs_per_user'", allowZero: true)
            case "connections_per_user": config.connectionsPerUser = try positive(v, "'limits.connections_per_user'")
            case "requests_per_connection": config.requestsPerConnection = try positive(v, "'limits.requests_per_connection'")
            case "max_line_bytes": config.maxLineBytes = try positive(v, "'limits.max_line_bytes'")
            case "subscriber_buffer": config.subscriberBuffer = try positive(v, "'limits.subscriber_buffer'")
            default:
                throw ConfigError.unknownKey(
                    key, keyNode, in: "'limits'",
                    known: [
                        "active_runs", "active_runs_per_user", "queued_runs_per_user", "connections_per_user", "requests_per_connection",
                        "max_line_bytes", "subscriber_buffer",
                    ])
            }
        }
    }

    private static func store(_ value: YAMLValue, into config: inout DaemonConfig) throws(ConfigError) {
        var backend = "sqlite"
        var backendValue: YAMLValue?
        var postgres: PostgresStoreConfiguration?
        var postgresValue: YAMLValue?
        var hostID: String?
        var lease: Double?
        for (key, keyNode, v) in try value.keyedMapping("'store'") where !v.isNull {
            switch key {
            case "durability":
                let text = try v.string("'store.durability'")
                guard let durability = StoreDurability(rawValue: text) else {
                    throw v.error(
                        "'store.durability' must be \(StoreDurability.allCases.map(\.rawValue).joined(separator: " or ")), not '\(text)'")
                }
                config.durability = durability
            case "page_cache_mb":
                config.pageCacheMB = try positive(v, "'store.page_cache_mb'", allowZero: true)
                guard config.pageCacheMB <= 65536 else { throw v.error("'store.page_cache_mb' must be at most 65536 (64 GB)") }
            case "backend":
                backend = try v.string("'store.backend'")
                backendValue = v
                guard ["sqlite", "postgres"].contains(backend) else {
                    throw v.error("'store.backend' must be sqlite or postgres, not '\(backend)'")
                }
            case "url":
                do {
                    postgres = try PostgresStoreConfiguration(url: try v.string("'store.url'"), password: nil)
                } catch let error as PostgresURLError {
                    throw v.error("'store.url' \(error.reason)")
                } catch {
                    throw v.error("'store.url': \(error)")
                }
                postgresValue = v
            case "password_credential": config.storePassword.credential = try v.string("'store.password_credential'")
            case "password_env": config.storePassword.environment = try v.string("'store.password_env'")
            case "host_id":
                let id = try v.string("'store.host_id'")
                guard RunID.isValid(id) else {
                    throw v.error("'store.host_id' must be 1-128 letters, digits, '-', '_' or '.', not '\(id)'")
                }
                hostID = id
            case "lease":
                lease = try v.duration("'store.lease'")
                guard let lease, lease >= 1 else { throw v.error("'store.lease' must be at least 1s") }
            default:
                throw ConfigError.unknownKey(
                    key, keyNode, in: "'store'",
                    known: ["durability", "page_cache_mb", "backend", "url", "password_credential", "password_env", "host_id", "lease"])
            }
        }
        switch (backend, postgres) {
        case ("postgres", nil):
            throw (backendValue ?? value).error("'store.backend: postgres' needs 'store.url' (postgres://USER@HOST:PORT/DATABASE)")
        case ("sqlite", .some):
            throw (postgresValue ?? value).error("'store.url' is for 'store.backend: postgres'; the sqlite store lives in 'state_dir'")
        case (_, .some(var pg)):
            if let hostID { pg.hostID = hostID }
            if let lease { pg.lease = .milliseconds(Int64(lease * 1000)) }
            config.postgres = pg
        default:
            break
        }
    }

    private static func retention(_ value: YAMLValue, into config: inout DaemonConfig) throws(ConfigError) {
        for (key, keyNode, v) in try value.keyedMapping("'retention'") where !v.isNull {
            switch key {
            case "max_age":
                let age = try v.duration("'retention.max_age'")
                config.retention.maxAge = age == 0 ? nil : age
            case "max_runs":
                let count = try positive(v, "'retention.max_runs'", allowZero: true)
                config.retention.maxRuns = count == 0 ? nil : count
            case "interval":
                let interval = try v.duration("'retention.interval'")
                guard interval >= 1 else { throw v.error("'retention.interval' must be at least 1s") }
                config.retention.interval = interval
            default: throw ConfigError.unknownKey(key, keyNode, in: "'retention'", known: ["max_age", "max_runs", "interval"])
            }
        }
    }

    /// `tools: {web_search: {backend, base_url, api_key_env, api_key_credential, timeout, max_results, …}}`.
    private static func tools(_ value: YAMLValue, into config: inout DaemonConfig) throws(ConfigError) {
        for (key, keyNode, v) in try value.keyedMapping("'tools'") where !v.isNull {
            switch key {
            case "web_search": config.webSearch = try webSearch(v)
            default: throw ConfigError.unknownKey(key, keyNode, in: "'tools'", known: ["web_search"])
            }
        }
    }

    /// `mcp_servers.NAME: {command, args, env, cwd, start_timeout, call_timeout, cancel_grace}`.
    private static func mcpServer(name: String, _ value: YAMLValue) throws(ConfigError) -> MCPServerConfig {
        guard MCPServerConfig.isValidName(name) else {
            throw value.error("MCP server name '\(name)' must be 1 to 32 of A-Z, a-z, 0-9, _ and - (it prefixes tool names)")
        }
        var command: [String] = []
        var server = MCPServerConfig(name: name, command: "")
        for (key, keyNode, v) in try value.keyedMapping("MCP server '\(name)'") where !v.isNull {
            let what = "'mcp_servers.\(name).\(key)'"
            switch key {
            case "command":
                if let list = try? v.stringList(what) { command = list } else { command = [try v.string(what)] }
            case "args": server.arguments = try v.stringList(what)
            case "env":
                for (variable, setting) in try v.mapping(what) { server.environment[variable] = try setting.string("\(what).\(variable)") }
            case "cwd": server.directory = try v.string(what)
            case "start_timeout": server.startTimeout = try v.duration(what)
            case "call_timeout": server.callTimeout = try v.duration(what)
            case "cancel_grace": server.cancelGrace = try v.duration(what)
            case "url": server.url = try v.string(what)
            case "headers":
                for (header, setting) in try v.mapping(what) {
                    if header.lowercased() == "authorization" {
                        throw setting.error(
                            "\(what).\(header): a secret does not belong in agnod.yaml; use 'bearer_token_env' or 'bearer_token_credential'"
                        )
                    }
                    server.headers[header] = try setting.string("\(what).\(header)")
                }
            case "bearer_token_env": server.bearerTokenEnv = try v.string(what)
            case "bearer_token_credential": server.bearerTokenCredential = try v.string(what)
            default:
                throw ConfigError.unknownKey(
                    key, keyNode, in: "MCP server '\(name)'",
                    known: [
                        "command", "args", "env", "cwd", "start_timeout", "call_timeout", "cancel_grace", "url", "headers",
                        "bearer_token_env", "bearer_token_credential",
                    ])
            }
        }
        if let url = server.url {
            guard command.isEmpty else { throw value.error("MCP server '\(name)' has both 'command' and 'url'; give one") }
            guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
                throw value.error("'mcp_servers.\(name).url' must be an http:// or https:// URL, not '\(MCPServerConfig.shown(url: url))'")
            }
        } else {
            guard let first = command.first, !first.isEmpty else { throw value.error("MCP server '\(name)' has no 'command' (or 'url')") }
            server.command = first
            server.arguments = Array(command.dropFirst()) + server.arguments
        }
        for (what, seconds) in [("start_timeout", server.startTimeout), ("call_timeout", server.callTimeout)] where seconds <= 0 {
            throw value.error("'mcp_servers.\(name).\(what)' must be more than 0")
        }
        return server
    }

    private static func webSearch(_ value: YAMLValue) throws(ConfigError) -> WebSearchConfig {
        var search = WebSearchConfig()
        for (key, keyNode, v) in try value.keyedMapping("'tools.web_search'") where !v.isNull {
            let what = "'tools.web_search.\(key)'"
            switch key {
            case "backend":
                let text = try v.string(what)
                guard let backend = WebSearchBackend(rawValue: text) else {
                    throw v.error("\(what) must be \(WebSearchBackend.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
                }
                search.backend = backend
            case "base_url":
                let text = try v.string(what)
                guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                    throw v.error("\(what) must be an http:// or https:// URL, not '\(text)'")
                }
                search.baseURL = text
            case "api_key_env": search.apiKeyEnv = try v.string(what)
            case "api_key_credential": search.apiKeyCredential = try v.string(what)
            case "api_key":
                throw v.error(
                    "'tools.web_search': put the API key in an environment variable (api_key_env) or a systemd credential (api_key_credential), not in this file"
                )
            case "timeout":
                search.timeout = try v.duration(what)
                guard search.timeout > 0 else { throw v.error("\(what) must be more than 0") }
            case "max_results": search.maxResults = try positive(v, what)
            case "default_results": search.defaultResults = try positive(v, what)
            case "max_response_bytes": search.maxResponseBytes = try positive(v, what)
            case "max_snippet_characters": search.maxSnippetCharacters = try positive(v, what)
            default:
                throw ConfigError.unknownKey(
                    key, keyNode, in: "'tools.web_search'",
                    known: [
                        "backend", "base_url", "api_key_env", "api_key_credential", "api_key", "timeout", "max_results", "default_results",
                        "max_response_bytes", "max_snippet_characters",
                    ])
            }
        }
        if search.backend == .searxng && search.baseURL == nil {
            throw value.error("'tools.web_search': the searxng backend needs a base_url (the instance to ask)")
        }
        search.defaultResults = min(search.defaultResults, search.maxResults)
        return search
    }

    private static func positive(_ v: YAMLValue, _ what: String, allowZero: Bool = false) throws(ConfigError) -> Int {
        let n = try v.int(what)
        guard n > 0 || (allowZero && n == 0) else { throw v.error("\(what) must be \(allowZero ? "0 or more" : "1 or more"), not \(n)") }
        return n
    }
}
