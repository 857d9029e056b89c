import Foundation

@testable import AgnoCEL

/// Plain JSON (the oracle's bindings.json) as CEL values: integers are int, other numbers double, objects string maps.
struct PlainJSON: Decodable {
    var value: CELValue

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let b = try? container.decode(Bool.self) {
            value = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            value = .int(i)
        } else if let d = try? container.decode(Double.self) {
            value = .double(d)
        } else if let s = try? container.decode(String.self) {
            value = .string(s)
        } else if let items = try? container.decode([PlainJSON].self) {
            value = .list(items.map(\.value))
        } else {
            let object = try container.decode([String: PlainJSON].self)
            value = .stringMap(object.sorted { $0.key < $1.key }.map { ($0.key, $0.value.value) })
        }
    }
}

/// A CEL value tagged with its type, as celpy_oracle.py writes it (see that file).
struct TaggedJSON: Decodable {
    var value: CELValue

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Unknown: Error {}

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let key = container.allKeys.first else { throw Unknown() }
        switch key.stringValue {
        case "null": value = .null
        case "bool": value = .bool(try container.decode(Bool.self, forKey: key))
        case "int": value = .int(Int64(try container.decode(String.self, forKey: key))!)
        case "uint": value = .uint(UInt64(try container.decode(String.self, forKey: key))!)
        case "double":
            if let d = try? container.decode(Double.self, forKey: key) {
                value = .double(d)
            } else {
                switch try container.decode(String.self, forKey: key) {
                case "NaN": value = .double(.nan)
                case "Infinity": value = .double(.infinity)
                default: value = .double(-.infinity)
                }
            }
        case "string": value = .string(try container.decode(String.self, forKey: key))
        case "bytes": value = .bytes(try container.decode([UInt8].self, forKey: key))
        case "type": value = .type(try container.decode(String.self, forKey: key))
        case "list": value = .list(try container.decode([TaggedJSON].self, forKey: key).map(\.value))
        case "map":
            let pairs = try container.decode([[TaggedJSON]].self, forKey: key)
            value = .map(CELMap(pairs.map { ($0[0].value, $0[1].value) }))
        default: throw Unknown()
        }
    }
}

/// One result of celpy_oracle.py.
struct OracleResult: Decodable {
    var ok: Bool
    var value: TaggedJSON?
    var error: String?
}
