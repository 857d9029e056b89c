import AgnoCore
import Foundation
import Testing

@testable import AgnoDaemon

/// `metrics:`, `tracing:` and per-model `prices:` in agnod.yaml: the defaults, what is read, and every mistake
/// named with its line.
@Suite struct TelemetryConfigTests {
    @Test func metricsAreCountedByDefaultServedWhereAskedAndTracingIsOff() throws {
        let plain = try DaemonConfigParser.parse(text: "socket: /a.sock\n", file: "a.yaml")
        #expect(plain.metrics.enabled && plain.metrics.listen == nil && plain.tracing.endpoint == nil)
        let config = try DaemonConfigParser.parse(
            text: """
                metrics:
                  listen: "[::1]:9464"
                tracing:
                  endpoint: http://127.0.0.1:4318
                  protocol: http/json
                  service_name: agnod-eu
                  export_delay: 250ms
                providers:
                  openai:
                    base_url: https://api.openai.com/v1
                    prices:
                      gpt-4o: {input: 2.5, output: 10}
                """, file: "a.yaml")
        #expect(config.metrics.listen == .tcp(host: "::1", port: 9464))
        #expect(config.tracing.endpoint == "http://127.0.0.1:4318/v1/traces")
        #expect(config.tracing.wireProtocol == .json && config.tracing.serviceName == "agnod-eu" && config.tracing.exportDelay == 0.25)
        #expect(config.providers.first?.prices["gpt-4o"] == ModelPrice(inputPerMillion: 2.5, outputPerMillion: 10))
        let unix = try DaemonConfigParser.parse(text: "metrics: {listen: /run/agnod/metrics.sock}\n", file: "a.yaml")
        #expect(unix.metrics.listen == .unix(path: "/run/agnod/metrics.sock"))
        let path = try DaemonConfigParser.parse(text: "tracing: {endpoint: 'http://c:4318/otlp/v1/traces'}\n", file: "a.yaml")
        #expect(path.tracing.endpoint == "http://c:4318/otlp/v1/traces")
    }

    @Test func theTracingEndpointIsLoggedWithoutCredentials() {
        #expect(TracingSetup.shown("https://user:s3cret@otel.example:4318/v1/traces?token=abc") == "https://otel.example:4318/v1/traces")
        #expect(TracingSetup.shown("http://127.0.0.1:4318/v1/traces") == "http://127.0.0.1:4318/v1/traces")
    }

    @Test func mistakesAreNamedWithTheirLine() {
        let typo = error("metrics:\n  enabled: true\n  lisen: 127.0.0.1:9464\n")
        #expect(typo?.line == 3 && typo?.reason.contains("did you mean 'listen'") == true)
        let public_ = error("metrics:\n  listen: 0.0.0.0:9464\n")
        #expect(public_?.line == 2 && public_?.reason.contains("must be a loopback address") == true)
        #expect(error("metrics:\n  listen: 127.0.0.1\n")?.reason.contains("HOST:PORT") == true)
        #expect(error("metrics:\n  enabled: false\n  listen: 127.0.0.1:9464\n")?.reason.contains("needs the metrics on") == true)
        #expect(error("tracing:\n  endpoint: grpc://c:4317\n")?.reason.contains("http:// or https://") == true)
        let proto = error("tracing:\n  endpoint: http://c:4318\n  protocol: grpc\n")
        #expect(proto?.line == 3 && proto?.reason.contains("http/protobuf or http/json") == true)
        #expect(error("tracing:\n  endpont: http://c:4318\n")?.reason.contains("did you mean 'endpoint'") == true)
        #expect(error("tracing:\n  endpoint: http://c:4318\n  export_delay: 0\n")?.reason.contains("at least 10ms") == true)
        #expect(error("metrics:\n  listen: 127.evil.example:9464\n")?.reason.contains("must be a loopback address") == true)
        let own = error("socket: /run/agnod/agnod.sock\nmetrics:\n  listen: /run/agnod/agnod.sock\n")
        #expect(own?.line == 3 && own?.reason.contains("agnod's own socket") == true)
        let price = error("providers:\n  p:\n    base_url: http://h/v1\n    prices:\n      m: {input: 1, ouput: 2}\n")
        #expect(price?.line == 5 && price?.reason.contains("did you mean 'output'") == true)
        #expect(error("providers:\n  p:\n    base_url: http://h/v1\n    prices:\n      m: {input: -1}\n")?.reason.contains("≥ 0") == true)
    }
}
