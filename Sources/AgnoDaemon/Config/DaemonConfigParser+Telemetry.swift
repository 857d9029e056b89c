import AgnoCore
import Foundation

extension DaemonConfigParser {
    /// `metrics: {enabled, listen}`.
    static func metrics(_ value: YAMLValue) throws(ConfigError) -> MetricsConfig {
        var config = MetricsConfig()
        for (key, keyNode, v) in try value.keyedMapping("'metrics'") where !v.isNull {
            switch key {
            case "enabled": config.enabled = try v.bool("'metrics.enabled'")
            case "listen": config.listen = try listen(v)
            default: throw ConfigError.unknownKey(key, keyNode, in: "'metrics'", known: ["enabled", "listen"])
            }
        }
        if config.listen != nil && !config.enabled {
            throw value.error("'metrics.listen' needs the metrics on: remove 'enabled: false' or 'listen'")
        }
        return config
    }

    /// A Unix socket path, or a loopback `HOST:PORT` (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`).
    static func listen(_ v: YAMLValue) throws(ConfigError) -> MetricsListen {
        let text = try v.string("'metrics.listen'")
        if text.hasPrefix("/") { return .unix(path: text) }
        // Port 0: any free port (the log says which).
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw v.error("'metrics.listen' must be HOST:PORT (e.g. 127.0.0.1:9464) or a Unix socket path, not '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = in_addr()
        let loopback = host == "localhost" || host == "::1" || (inet_pton(AF_INET, host, &v4) == 1 && host.hasPrefix("127."))
        guard loopback else {
            throw v.error(
                "'metrics.listen' must be a loopback address (127.0.0.1, ::1, localhost) or a Unix socket path, not '\(host)': the metrics name the users of this machine"
            )
        }
        return .tcp(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    }

    static func atLeastTenMilliseconds(_ v: YAMLValue, _ what: String) throws(ConfigError) -> Double {
        let seconds = try v.duration(what)
        guard seconds >= 0.01 else { throw v.error("\(what) must be at least 10ms, not \(seconds) s") }
        return seconds
    }

    /// `tracing: {endpoint, protocol, service_name, export_delay, export_timeout}`.
    static func tracing(_ value: YAMLValue) throws(ConfigError) -> TracingConfig {
        var config = TracingConfig()
        for (key, keyNode, v) in try value.keyedMapping("'tracing'") where !v.isNull {
            switch key {
            case "endpoint":
                let text = try v.string("'tracing.endpoint'")
                guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                    throw v.error("'tracing.endpoint' must be an http:// or https:// URL (OTLP/HTTP), not '\(text)'")
                }
                config.endpoint =
                    url.path.isEmpty || url.path == "/" ? text.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/v1/traces" : text
            case "protocol":
                let text = try v.string("'tracing.protocol'")
                guard let p = TracingConfig.WireProtocol(rawValue: text) else {
                    throw v.error("'tracing.protocol' must be http/protobuf or http/json, not '\(text)'")
                }
                config.wireProtocol = p
            case "service_name": config.serviceName = try v.string("'tracing.service_name'")
            case "export_delay": config.exportDelay = try atLeastTenMilliseconds(v, "'tracing.export_delay'")
            case "export_timeout": config.exportTimeout = try atLeastTenMilliseconds(v, "'tracing.export_timeout'")
            default:
                throw ConfigError.unknownKey(
                    key, keyNode, in: "'tracing'", known: ["endpoint", "protocol", "service_name", "export_delay", "export_timeout"])
            }
        }
        return config
    }
}
