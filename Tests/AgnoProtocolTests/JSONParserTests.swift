import AgnoProtocol
import Testing

@Suite struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONValue.parse(Array(s.utf8)) }

    @Test func valuesOfEveryKindParseWithKeysInOrder() throws {
        let v = try parse(#" {"b":1,"a":[true,false,null,-0.5,1e3,"x"],"c":{}} "#)
        #expect(v.objectValue?.map(\.0) == ["b", "a", "c"])
        #expect(v["b"] == .int(1))
        #expect(v["a"] == .array([.bool(true), .bool(false), .null, .double(-0.5), .double(1000), .string("x")]))
        #expect(v["c"] == .object([]))
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\udc09""#) == .string("a\"b\\c/d\n\té🐉"))
    }

    @Test func encodingThenParsingGivesTheSameValue() throws {
        let v = JSONValue.object([("k", .string("line\n\u{01}\"q\" 🐉")), ("n", .int(-42)), ("d", .double(0.25)), ("l", .array([.null]))])
        #expect(try JSONValue.parse(v.encoded) == v)
    }

    @Test func malformedInputIsRefusedWithWhere() {
        for bad in ["{", "[1,]", #"{"a" 1}"#, "01", "1.", "tru", #""\x""#, #""\ud800""#, "{} {}", "\"a\nb\""] {
            #expect(throws: JSONValue.ParseError.self, "\(bad)") { try parse(bad) }
        }
        do {
            _ = try parse(#"{"a":}"#)
        } catch {
            #expect("\(error)".contains("at byte 5"))
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValue.ParseError.self) { try parse(deep) }
    }
}
