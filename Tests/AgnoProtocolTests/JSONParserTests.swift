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

/// `parse(_:keeping:)`: only the named top-level keys are built, the rest is still checked as JSON.
@Suite struct KeptKeysParseTests {
    let keys = JSONValue.KeptKeys(["choices", "usage"])

    @Test(arguments: [
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1796532123,"model":"m","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}"#,
        #"{"id":"a\"b\\c\u00e9","choices":[1],"usage":{"prompt_tokens":3},"x":[{"y":[true,false,null,-1.5e3]}]}"#,
        #"{ "ch\u006fices" : [2] , "other" : "v" }"#,
        #"{"usage":null}"#, #"{}"#, #"[1,2]"#, #""just a string""#,
    ])
    func theKeptKeysAreThoseOfTheWholeParse(text: String) throws {
        let whole = try JSONValue.parse(text)
        let kept = try JSONValue.parse(Array(text.utf8), keeping: keys)
        if case .object(let pairs) = whole {
            #expect(kept == .object(pairs.filter { $0.0 == "choices" || $0.0 == "usage" }))
        } else {
            #expect(kept == whole)
        }
    }

    @Test(arguments: [
        "{\"id\":\"a\u{1}\",\"choices\":[]}", #"{"id":tru,"choices":[]}"#, #"{"id":"open"#, #"{"id":"a\q","choices":[]}"#,
        #"{"id":1,"choices":[]} trailing"#, #"{"id":01,"choices":[]}"#,
    ])
    func whatIsSkippedMustStillBeJSON(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8), keeping: keys) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(text) }
    }
}
