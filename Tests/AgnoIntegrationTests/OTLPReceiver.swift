import AgnoProtocol
import AgnoTesting
import Foundation

/// A real OTLP/HTTP receiver (scripts/observability-oracle.py: protobuf decoded with opentelemetry-proto) on a
/// loopback port, and the spans it received.
final class OTLPReceiver: @unchecked Sendable {
    let process = Process()
    let out: String
    let port: Int

    /// One received span: names, ids (as sent, base64), attributes by key, status code.
    struct Span {
        var name: String
        var traceID: String
        var spanID: String
        var parentID: String?
        var attributes: [String: JSONValue]
        var statusCode: String?
        var kind: String?

        func string(_ key: String) -> String? { attributes[key]?["stringValue"]?.stringValue }
        func int(_ key: String) -> Int? {
            (attributes[key]?["intValue"]?.stringValue).flatMap { Int($0) } ?? attributes[key]?["intValue"]?.intValue
        }
    }

    /// One POST: its path, content type, spans and the resource's service name.
    struct Export {
        var path: String
        var contentType: String
        var serviceName: String?
        var spans: [Span]
    }

    init(python: String, oracle: String) throws {
        out = NSTemporaryDirectory() + "agnod-otlp-\(UUID().uuidString.prefix(8)).jsonl"
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [oracle, "otlp-receiver", "--out", out]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        // Its first line is the port it listens on (a blocking read: the receiver is ready once it is there).
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw TestError("the OTLP receiver did not say its port")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: a test process may hand its children an ignored SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: out)
    }

    /// Everything received so far.
    var exports: [Export] {
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }.map { request in
            let resourceSpans = request["body"]?["resourceSpans"]?.arrayValue ?? []
            var spans: [Span] = []
            var service: String?
            for rs in resourceSpans {
                for a in rs["resource"]?["attributes"]?.arrayValue ?? [] where a["key"]?.stringValue == "service.name" {
                    service = a["value"]?["stringValue"]?.stringValue
                }
                for ss in rs["scopeSpans"]?.arrayValue ?? [] {
                    for s in ss["spans"]?.arrayValue ?? [] {
                        var attributes: [String: JSONValue] = [:]
                        for a in s["attributes"]?.arrayValue ?? [] { attributes[a["key"]?.stringValue ?? ""] = a["value"] ?? .null }
                        spans.append(
                            Span(
                                name: s["name"]?.stringValue ?? "", traceID: s["traceId"]?.stringValue ?? "",
                                spanID: s["spanId"]?.stringValue ?? "",
                                parentID: s["parentSpanId"]?.stringValue, attributes: attributes,
                                statusCode: s["status"]?["code"]?.stringValue ?? s["status"]?["code"]?.intValue.map(String.init),
                                kind: s["kind"]?.stringValue ?? s["kind"]?.intValue.map(String.init)))
                    }
                }
            }
            return Export(
                path: request["path"]?.stringValue ?? "", contentType: request["content_type"]?.stringValue ?? "", serviceName: service,
                spans: spans)
        }
    }
}
