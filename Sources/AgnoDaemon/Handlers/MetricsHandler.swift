import AgnoProtocol

/// `metrics`: the daemon's metrics in Prometheus text format (or OpenMetrics 1.0 with `format: "openmetrics"`), for
/// any local user: what the HTTP endpoint serves.
struct MetricsHandler {
    func handle(_ request: MetricsRequest, _ exchange: Exchange) async throws {
        guard let text = exchange.daemon.telemetry.render(table: exchange.daemon.table) else {
            return try await exchange.fail(
                ProtocolError(
                    .unavailable, "metrics are off in this agnod (metrics.enabled: false in \(exchange.daemon.config.file ?? "agnod.yaml"))"
                ))
        }
        let (type, body) =
            request.format == .openMetrics
            ? (OpenMetricsText.contentType, OpenMetricsText.from(prometheus: text)) : (DaemonTelemetry.contentType, text)
        try await exchange.result(.object([("content_type", .string(type)), ("text", .string(body))]))
    }
}
