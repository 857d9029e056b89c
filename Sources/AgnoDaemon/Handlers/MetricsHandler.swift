import AgnoProtocol

/// `metrics`: the daemon's metrics in Prometheus text format, for any local user (the same as the HTTP endpoint).
struct MetricsHandler {
    func handle(_ exchange: Exchange) async throws {
        guard let text = exchange.daemon.telemetry.render(table: exchange.daemon.table) else {
            return try await exchange.fail(
                ProtocolError(
                    .unavailable, "metrics are off in this agnod (metrics.enabled: false in \(exchange.daemon.config.file ?? "agnod.yaml"))"
                ))
        }
        try await exchange.result(.object([("content_type", .string(DaemonTelemetry.contentType)), ("text", .string(text))]))
    }
}
