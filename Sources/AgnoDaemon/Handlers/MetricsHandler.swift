import AgnoProtocol

/// `metrics`: the daemon's metrics in Prometheus text format (or OpenMetrics 1.0 with `format: "openmetrics"`), for
/// any local user: what the HTTP endpoint serves.
struct MetricsHandler {
    func handle(_ request: MetricsRequest, _ exchange: Exchange) async throws {
        let daemon = exchange.daemon
        guard let metrics = daemon.telemetry.exposition(table: daemon.table, openMetrics: request.format == .openMetrics) else {
            return try await exchange.fail(
                ProtocolError(
                    .unavailable, "metrics are off in this agnod (metrics.enabled: false in \(exchange.daemon.config.file ?? "agnod.yaml"))"
                ))
        }
        try await exchange.result(.object([("content_type", .string(metrics.contentType)), ("text", .string(metrics.text))]))
    }
}
