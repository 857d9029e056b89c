/// Reads a request's parameters, with errors that name the parameter that is missing or mistyped.
public struct Params: Sendable {
    public let object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    private func present(_ name: String) -> JSONValue? {
        guard let value = object[name], !value.isNull else { return nil }
        return value
    }

    public func string(_ name: String) throws(ProtocolError) -> String {
        guard let value = present(name) else { throw .badRequest("missing required parameter '\(name)' (a string)") }
        guard let s = value.stringValue else { throw .badRequest("parameter '\(name)' must be a string") }
        return s
    }

    public func optionalString(_ name: String) throws(ProtocolError) -> String? {
        guard let value = present(name) else { return nil }
        guard let s = value.stringValue else { throw .badRequest("parameter '\(name)' must be a string") }
        return s
    }

    public func int(_ name: String) throws(ProtocolError) -> Int {
        guard let value = present(name) else { throw .badRequest("missing required parameter '\(name)' (an integer)") }
        guard let i = value.intValue else { throw .badRequest("parameter '\(name)' must be an integer") }
        return i
    }

    public func optionalInt(_ name: String) throws(ProtocolError) -> Int? {
        guard let value = present(name) else { return nil }
        guard let i = value.intValue else { throw .badRequest("parameter '\(name)' must be an integer") }
        return i
    }

    public func optionalBool(_ name: String) throws(ProtocolError) -> Bool? {
        guard let value = present(name) else { return nil }
        guard let b = value.boolValue else { throw .badRequest("parameter '\(name)' must be true or false") }
        return b
    }

    public func optionalObject(_ name: String) throws(ProtocolError) -> JSONValue? {
        guard let value = present(name) else { return nil }
        guard value.objectValue != nil else { throw .badRequest("parameter '\(name)' must be an object") }
        return value
    }

    public func optionalStringList(_ name: String) throws(ProtocolError) -> [String]? {
        guard let value = present(name) else { return nil }
        if let s = value.stringValue { return [s] }
        guard let items = value.arrayValue else { throw .badRequest("parameter '\(name)' must be a list of strings") }
        var out: [String] = []
        for item in items {
            guard let s = item.stringValue else { throw .badRequest("parameter '\(name)' must be a list of strings") }
            out.append(s)
        }
        return out
    }
}
