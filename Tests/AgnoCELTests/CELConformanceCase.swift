import Foundation

@testable import AgnoCEL

/// One test of a cel-spec SimpleTestFile, read from the vendored textproto files.
struct CELConformanceCase: CustomStringConvertible {
    enum Expectation {
        case value(CELValue)
        case error(String)
        /// The expected value cannot be represented (protobuf message, enum, ...): the case must be skipped.
        case unsupported(String)
    }

    var file: String
    var section: String
    var name: String
    var expr: String
    var disableCheck: Bool
    var container: String?
    var variables: Set<String>
    var bindings: [String: CELValue]
    var unsupportedBinding: String?
    var expectation: Expectation
    /// Every field name in the test message (recursively), for feature predicates.
    var fieldNames: Set<String>

    var description: String { "\(file)/\(section)/\(name): \(expr)" }

    static func load(file: String) throws -> [CELConformanceCase] {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/cel-spec/\(file).textproto")
        let root = try TextProtoMessage.parse(String(contentsOf: url, encoding: .utf8))
        var cases: [CELConformanceCase] = []
        for section in root.messages("section") {
            for test in section.messages("test") {
                cases.append(CELConformanceCase(file: file, section: section.string("name") ?? "", test: test))
            }
        }
        return cases
    }

    init(file: String, section: String, test: TextProtoMessage) {
        self.file = file
        self.section = section
        name = test.string("name") ?? ""
        expr = test.string("expr") ?? ""
        disableCheck = test.string("disable_check") == "true"
        container = test.string("container")
        fieldNames = test.allFieldNames
        variables = Set(test.messages("type_env").compactMap { $0.has("ident") ? $0.string("name") : nil })
        bindings = [:]
        for binding in test.messages("bindings") {
            guard let key = binding.string("key"), let value = binding.message("value")?.message("value") else { continue }
            switch CELConformanceCase.celValue(value) {
            case .success(let v): bindings[key] = v
            case .failure(let reason): unsupportedBinding = reason.description
            }
            if disableCheck { variables.insert(key) }
        }
        if let value = test.message("value") {
            switch CELConformanceCase.celValue(value) {
            case .success(let v): expectation = .value(v)
            case .failure(let reason): expectation = .unsupported(reason.description)
            }
        } else if let error = test.message("eval_error") {
            expectation = .error(error.message("errors")?.string("message") ?? "")
        } else if test.has("any_eval_errors") || test.has("unknown") || test.has("any_unknowns") || test.has("typed_result") {
            expectation = .unsupported("expectation kind not supported")
        } else {
            expectation = .value(.bool(true))  // simple.proto: no result field means `true`
        }
    }

    struct Unsupported: Error, CustomStringConvertible { var description: String }

    /// A cel.expr.Value message as a CELValue.
    static func celValue(_ m: TextProtoMessage) -> Result<CELValue, Unsupported> {
        guard let first = m.fields.first else { return .failure(Unsupported(description: "empty value")) }
        let (kind, raw) = (first.name, first.value)
        let scalar: String = {
            switch raw {
            case .scalar(let s): s
            case .string(let b): String(decoding: b, as: UTF8.self)
            case .message: ""
            }
        }()
        switch kind {
        case "null_value": return .success(.null)
        case "bool_value": return .success(.bool(scalar == "true"))
        case "int64_value": return Int64(scalar).map { .success(.int($0)) } ?? .failure(Unsupported(description: "int \(scalar)"))
        case "uint64_value": return UInt64(scalar).map { .success(.uint($0)) } ?? .failure(Unsupported(description: "uint \(scalar)"))
        case "double_value":
            switch scalar.lowercased() {
            case "inf", "infinity": return .success(.double(.infinity))
            case "-inf", "-infinity": return .success(.double(-.infinity))
            case "nan": return .success(.double(.nan))
            default: return Double(scalar).map { .success(.double($0)) } ?? .failure(Unsupported(description: "double \(scalar)"))
            }
        case "string_value": return .success(.string(m.string(kind) ?? ""))
        case "bytes_value": return .success(.bytes(m.bytes(kind) ?? []))
        case "type_value": return .success(.type(scalar))
        case "list_value":
            var items: [CELValue] = []
            for item in (m.message(kind)?.messages("values") ?? []) {
                switch celValue(item) {
                case .success(let v): items.append(v)
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.list(items))
        case "map_value":
            var map = CELMap()
            for entry in (m.message(kind)?.messages("entries") ?? []) {
                guard let k = entry.message("key"), let v = entry.message("value") else { continue }
                switch (celValue(k), celValue(v)) {
                case (.success(let key), .success(let value)): map.set(key, value)
                case (.failure(let e), _), (_, .failure(let e)): return .failure(e)
                }
            }
            return .success(.map(map))
        default:
            return .failure(Unsupported(description: "value kind \(kind)"))
        }
    }
}
