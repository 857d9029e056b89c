import Foundation
import Testing

@testable import AgnoCEL

@Suite struct CELProgramTests {
    @Test func compileOnceEvaluateMany() throws {
        let program = try CELProgram.compile("input.contains('code') ? 'coder' : 'writer'", variables: ["input"])
        #expect(program.source == "input.contains('code') ? 'coder' : 'writer'")
        #expect(try program.evaluate(["input": .string("code it")]) == .string("coder"))
        #expect(try program.evaluate(["input": .string("essay")]) == .string("writer"))
        #expect(program.resultStringLiterals == ["coder", "writer"])
        #expect(try CELProgram.compile("input", variables: ["input"]).resultStringLiterals == nil)
    }

    @Test func missingBindingIsARuntimeError() throws {
        let program = try CELProgram.compile("a + 1", variables: ["a"])
        #expect(throws: CELError(message: "undeclared reference to 'a'", offset: 0)) { try program.evaluate([:]) }
    }

    @Test func wrongBindingTypeIsARuntimeError() throws {
        let program = try CELProgram.compile("a.contains('x')", variables: ["a"])
        #expect(throws: CELError.self) { try program.evaluate(["a": .int(1)]) }
    }

    @Test func dottedVariableNames() throws {
        let program = try CELProgram.compile("a.b.c + 1", variables: ["a.b"])
        #expect(try program.evaluate(["a.b": .stringMap([("c", .int(1))])]) == .int(2))
    }

    @Test func concurrentEvaluation() async throws {
        let program = try CELProgram.compile("[1, 2, 3].map(x, x * n).exists(y, y == n * 3) && s.matches('^a+$')", variables: ["n", "s"])
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let result = try program.evaluate(["n": .int(Int64(i)), "s": .string("aaa")])
                    return result == .bool(true)
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    @Test func evaluationIsFast() throws {
        let program = try CELProgram.compile(
            "previous_step_content.contains('TODO') && size(step_choices) > 1 ? step_choices[0] : 'writer'",
            variables: ["previous_step_content", "step_choices"])
        let bindings: [String: CELValue] = [
            "previous_step_content": .string(String(repeating: "lorem ipsum ", count: 100) + "TODO"),
            "step_choices": .list([.string("coder"), .string("writer")]),
        ]
        let start = Date()
        for _ in 0..<10_000 { _ = try program.evaluate(bindings) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed < 5, "10,000 evaluations took \(elapsed)s")
    }

    @Test func valueDescriptions() {
        #expect(CELValue.string("hi \"x\"\n").description == #""hi \"x\"\n""#)
        #expect(CELValue.list([.int(1), .uint(2), .double(1.5), .double(2)]).description == "[1, 2u, 1.5, 2.0]")
        #expect(CELValue.stringMap([("a", .int(1)), ("b", .null)]).description == #"{"a": 1, "b": null}"#)
        #expect(CELValue.bytes([0x61, 0x00]).description == #"b"a\x00""#)
        #expect(CELValue.type("int").description == "int")
        #expect(CELValue.bool(true).description == "true")
    }

    @Test func mapsKeepOrderAndCompareByContent() {
        let m = CELValue.stringMap([("b", .int(1)), ("a", .int(2))])
        guard case .map(let map) = m else { return }
        #expect(map.keys == [.string("b"), .string("a")])
        #expect(map["a"] == .int(2))
        #expect(m == .stringMap([("a", .int(2)), ("b", .int(1))]))
        #expect(m != .stringMap([("a", .int(2))]))
        #expect(CELError(message: "x").description == "x")
    }
}
