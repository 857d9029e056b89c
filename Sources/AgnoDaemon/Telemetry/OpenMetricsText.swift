/// swift-prometheus writes the Prometheus text format 0.0.4; OpenMetrics 1.0 differs in two places that matter
/// here: a counter family is named without its `_total` suffix (`# TYPE agnod_runs_started counter`, samples
/// `agnod_runs_started_total`), and the exposition ends with `# EOF`. This rewrites the one into the other.
enum OpenMetricsText {
    static let contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    static func from(prometheus text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE "), line.hasSuffix("_total counter") {
                out += line.dropLast("_total counter".count) + " counter\n"
            } else {
                out += line + "\n"
            }
        }
        return out + "# EOF\n"
    }

    /// Whether an HTTP `Accept` header asks for OpenMetrics (as Prometheus does when it may).
    static func isWanted(accept: String?) -> Bool {
        accept?.contains("application/openmetrics-text") == true
    }
}
