import Foundation
import Logging
import OTel
import ServiceLifecycle

/// Turns on OpenTelemetry tracing when `tracing.endpoint` is set: swift-otel's OTLP/HTTP exporter with a batch
/// span processor, traces only (agnod's logs go to journald, its metrics to Prometheus). The `OTEL_*`
/// environment is not read: agnod.yaml says everything. Bootstrapped once per process.
enum TracingSetup {
    /// The exporter's service (it sends what is left when it stops), or nil when tracing is off.
    static func service(_ config: TracingConfig, logger: Logger) throws -> (any Service)? {
        guard let endpoint = config.endpoint else { return nil }
        var otel = OTel.Configuration.default
        otel.serviceName = config.serviceName
        otel.logs.enabled = false
        otel.metrics.enabled = false
        otel.traces.enabled = true
        otel.traces.exporter = .otlp
        otel.traces.sampler = .alwaysOn
        otel.traces.otlpExporter.endpoint = endpoint
        otel.traces.otlpExporter.protocol = config.wireProtocol == .json ? .httpJSON : .httpProtobuf
        otel.traces.otlpExporter.timeout = milliseconds(config.exportTimeout)
        otel.traces.batchSpanProcessor.scheduleDelay = milliseconds(config.exportDelay)
        otel.traces.batchSpanProcessor.exportTimeout = milliseconds(config.exportTimeout)
        otel.diagnosticLogLevel = .warning
        otel.diagnosticLogger = .custom(logger)
        let service = try OTel.bootstrap(configuration: otel, environment: [:])
        logger.info(
            "tracing on",
            metadata: ["endpoint": "\(shown(endpoint))", "protocol": "\(config.wireProtocol.rawValue)", "service": "\(config.serviceName)"])
        return service
    }

    /// The endpoint as the log may show it: without user, password and query.
    static func shown(_ endpoint: String) -> String {
        guard var parts = URLComponents(string: endpoint) else { return "(unreadable URL)" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        return parts.string ?? "(unreadable URL)"
    }

    private static func milliseconds(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}
