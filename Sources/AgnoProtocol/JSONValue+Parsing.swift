extension JSONValue {
    /// Why a line could not be read as JSON.
    public enum ParseError: Error, CustomStringConvertible {
        case invalidUTF8
        case invalidJSON(String)

        public var description: String {
            switch self {
            case .invalidUTF8: return "the line is not valid UTF-8"
            case .invalidJSON(let why): return "the line is not valid JSON: \(why)"
            }
        }
    }

    /// Parses one JSON document from UTF-8 bytes, telling invalid UTF-8 from invalid JSON.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(ParseError) -> JSONValue where Bytes.Element == UInt8 {
        let result: Result<JSONValue, ParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            JSONValue.parse(buffer: buffer)
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { JSONValue.parse(buffer: $0) }.get()
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, ParseError> {
        guard String(validating: buffer, as: UTF8.self) != nil else { return .failure(.invalidUTF8) }
        do {
            return .success(try JSONParser.parse(buffer))
        } catch {
            return .failure(.invalidJSON("\(error.message) at byte \(error.offset)"))
        }
    }

    public static func parse(_ string: String) throws(ParseError) -> JSONValue {
        try parse(Array(string.utf8))
    }
}
