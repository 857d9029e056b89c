import AgnoProtocol
import Foundation

/// The current date and time, optionally in an IANA time zone.
public struct DateTimeTool: Tool {
    public init() {}
    public var name: String { "get_current_datetime" }
    public var description: String { "Get the current date and time, in UTC or in the given IANA time zone (e.g. Europe/Paris)." }
    public var parameters: JSONValue {
        .object([
            ("type", "object"),
            ("properties", .object([("timezone", .object([("type", "string"), ("description", "An IANA time zone name; default UTC")]))])),
        ])
    }

    public func call(_ arguments: JSONValue) async throws -> String {
        let zoneName = arguments["timezone"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else { throw ToolError("unknown time zone '\(zoneName)'") }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"
        let now = Date()
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"
        let iso = formatter.string(from: now)
        formatter.dateFormat = "EEEE"
        return JSONValue.object([("datetime", .string(iso)), ("timezone", .string(zoneName)), ("weekday", .string(formatter.string(from: now)))]).encodedString
    }
}
