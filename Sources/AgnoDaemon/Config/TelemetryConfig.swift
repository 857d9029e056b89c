/// `metrics:` of agnod.yaml: counting is on unless `enabled: false`; `listen` also serves them over HTTP.
public struct MetricsConfig: Sendable, Equatable {
    public var enabled = true
    /// A loopback `HOST:PORT` or a Unix socket path for `GET /metrics`; nil: only the `metrics` op.
    public var listen: MetricsListen?

    public init() {}
}

/// Where the metrics endpoint listens: loopback only (the metrics name users), or a Unix socket.
public enum MetricsListen: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }
}

/// `tracing:` of agnod.yaml: OpenTelemetry spans (run, step, model call, tool call) sent over OTLP/HTTP; off
/// unless `endpoint` is set.
public struct TracingConfig: Sendable, Equatable {
    public enum WireProtocol: String, Sendable, Equatable {
        case protobuf = "http/protobuf"
        case json = "http/json"
    }

    /// The collector's traces URL, e.g. `http://127.0.0.1:4318/v1/traces` (`/v1/traces` is added to a bare host).
    public var endpoint: String?
    public var wireProtocol = WireProtocol.protobuf
    public var serviceName = "agnod"
    /// How long finished spans wait to be sent in one batch.
    public var exportDelay: Double = 5
    /// The longest an export may take (also at shutdown, when the collector is down).
    public var exportTimeout: Double = 5

    public init() {}
}
