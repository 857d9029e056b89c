import AgnoProtocol
import Foundation
import MCP

/// JSON values between agnod's `JSONValue` and the SDK's `Value`, through their JSON text.
enum ValueConversion {
    static func arguments(_ json: JSONValue) throws -> [String: Value] {
        guard case .object = json else { throw ConversionError("the arguments must be a JSON object") }
        return try JSONDecoder().decode([String: Value].self, from: Data(json.encoded))
    }

    static func json(_ value: Value) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value), let json = try? JSONValue.parse([UInt8](data)) else { return .null }
        return json
    }

    struct ConversionError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
