import Testing

@testable import AgnoCEL

@Suite struct CELEvaluatorTests {
    @Test func integerArithmetic() throws {
        #expect(try evalCEL("7 / 2") == .int(3))
        #expect(try evalCEL("-7 / 2") == .int(-3))  // truncates toward zero
        #expect(try evalCEL("-7 % 3") == .int(-1))
        #expect(try evalCEL("7u / 2u") == .uint(3))
        #expect(celError("1 / 0")?.message == "division by zero")
        #expect(celError("1 % 0")?.message == "modulus by zero")
        #expect(celError("1u / 0u")?.message == "division by zero")
        #expect(celError("9223372036854775807 + 1")?.message == "return error for overflow")
        #expect(celError("-9223372036854775808 - 1")?.message == "return error for overflow")
        #expect(celError("4611686018427387904 * 2")?.message == "return error for overflow")
        #expect(celError("-(-9223372036854775808)")?.message == "return error for overflow")
        #expect(celError("-9223372036854775808 / -1")?.message == "return error for overflow")
        #expect(celError("0u - 1u")?.message == "return error for overflow")
        #expect(celError("18446744073709551615u + 1u")?.message == "return error for overflow")
        let e = celError("x / 0", ["x": .int(4)])
        #expect(e?.offset == 2)  // runtime errors point at their operator
        #expect(e?.description == "division by zero at column 3")
    }

    @Test func doubleArithmetic() throws {
        #expect(try evalCEL("1.5 + 2.25") == .double(3.75))
        #expect(try evalCEL("1.0 / 0.0") == .double(.infinity))
        #expect(try evalCEL("-1.0 / 0.0") == .double(-.infinity))
        #expect(celError("1.5 % 1.0")?.message == "no matching overload for '_%_' applied to (double, double)")
        #expect(try evalCEL("-(1.5)") == .double(-1.5))
    }

    @Test func noMixedArithmetic() {
        #expect(celError("1 + 1u")?.message == "no matching overload for '_+_' applied to (int, uint)")
        #expect(celError("1 + 'a'")?.message == "no matching overload for '_+_' applied to (int, string)")
        #expect(celError("1 + 1.0") != nil)
        #expect(celError("-'a'") != nil)
        #expect(celError("-1u") != nil)
        #expect(celError("!1")?.message == "no matching overload for '!_' applied to (int)")
    }

    @Test func concatenation() throws {
        #expect(try evalCEL("'ab' + 'cd'") == .string("abcd"))
        #expect(try evalCEL("b'a' + b'b'") == .bytes([0x61, 0x62]))
        #expect(try evalCEL("[1] + ['a']") == .list([.int(1), .string("a")]))
        #expect(celError("{} + {}") != nil)
    }

    @Test func equality() throws {
        #expect(try evalCEL("1 == 1.0 && 1u == 1 && 1.0 == 1u") == .bool(true))
        #expect(try evalCEL("1 == 'a'") == .bool(false))  // unrelated types are unequal, not an error
        #expect(try evalCEL("1 != 'a'") == .bool(true))
        #expect(try evalCEL("null == false") == .bool(false))
        #expect(try evalCEL("[1, 'a'] == [1.0, 'a']") == .bool(true))
        #expect(try evalCEL("{'a': 1} == {'a': 1u}") == .bool(true))
        #expect(try evalCEL("{'a': 1, 'b': 2} == {'b': 2, 'a': 1}") == .bool(true))
        #expect(try evalCEL("double('NaN') == double('NaN')") == .bool(false))
        #expect(try evalCEL("type(1) == int && type('') != int") == .bool(true))
        #expect(try evalCEL("'é' == '\\u0065\\u0301'") == .bool(false))  // code points, not canonical equivalence
    }

    @Test func ordering() throws {
        #expect(try evalCEL("1 < 2u && 2u < 3.5 && -1 < 0u && 1.5 > 1") == .bool(true))
        #expect(try evalCEL("18446744073709551615u > 9223372036854775807") == .bool(true))
        #expect(try evalCEL("'a' < 'b' && 'B' < 'a' && '' < 'a' && 'ab' > 'a'") == .bool(true))
        #expect(try evalCEL("b'\\x00' < b'\\x01' && false < true") == .bool(true))
        #expect(try evalCEL("double('NaN') < 1.0 || double('NaN') >= 1.0") == .bool(false))
        #expect(celError("1 < 'a'")?.message == "no matching overload for '_<_' applied to (int, string)")
        #expect(celError("[1] < [2]") != nil)
    }

    @Test func logicIsCommutativeOverErrors() throws {
        let m: [String: CELValue] = ["m": .stringMap([])]
        #expect(try evalCEL("false && m.x", m) == .bool(false))
        #expect(try evalCEL("m.x && false", m) == .bool(false))
        #expect(try evalCEL("true || m.x", m) == .bool(true))
        #expect(try evalCEL("m.x || true", m) == .bool(true))
        #expect(celError("m.x && true", m)?.message == "no such key: 'x'")
        #expect(celError("false || m.x", m)?.message == "no such key: 'x'")
        #expect(try evalCEL("1 / 0 == 1 || 'a' == 'a'") == .bool(true))
        #expect(try evalCEL("'a' && false") == .bool(false))  // a non-bool is an error, absorbed like one
        #expect(celError("'a' && true") != nil)
        #expect(try evalCEL("true ? 1 : 1 / 0") == .int(1))  // only the chosen branch is evaluated
        #expect(celError("1 ? 2 : 3") != nil)
    }

    @Test func membershipAndAccess() throws {
        let b: [String: CELValue] = [
            "outputs": .stringMap([("draft", .string("TODO x")), ("review", .string("ok"))]),
            "choices": .list([.string("coder"), .string("writer")]),
        ]
        #expect(try evalCEL("'coder' in choices && !('x' in choices)", b) == .bool(true))
        #expect(try evalCEL("'draft' in outputs && !('x' in outputs)", b) == .bool(true))
        #expect(try evalCEL("1 in [1.0] && 2u in {2: 'x'}") == .bool(true))
        #expect(try evalCEL("outputs.draft", b) == .string("TODO x"))
        #expect(try evalCEL("outputs['review']", b) == .string("ok"))
        #expect(celError("outputs.missing", b)?.message == "no such key: 'missing'")
        #expect(celError("outputs['missing']", b)?.message == "no such key: \"missing\"")
        #expect(try evalCEL("choices[1]", b) == .string("writer"))
        #expect(try evalCEL("choices[1u]", b) == .string("writer"))
        #expect(celError("choices[2]", b)?.message == "index out of range: 2 (list size 2)")
        #expect(celError("choices[-1]", b) != nil)
        #expect(celError("choices['a']", b) != nil)
        #expect(try evalCEL("{1: 'a'}[1u] + {1: 'b'}[1.0]") == .string("ab"))
        #expect(celError("'abc'.x") != nil)
        #expect(celError("{'a': 1, 'a': 2}") != nil)  // repeated keys
        #expect(celError("{[1]: 2}") != nil)  // keys must be int, uint, bool or string
    }

    @Test func has() throws {
        let b: [String: CELValue] = ["m": .stringMap([("a", .stringMap([("b", .null)]))])]
        #expect(try evalCEL("has(m.a) && has(m.a.b) && !has(m.z)", b) == .bool(true))
        #expect(celError("has(m.z.b)", b)?.message == "no such key: 'z'")
        #expect(celError("has(m.a.b.c)", b) != nil)  // null does not have fields
    }

    @Test func strings() throws {
        let b: [String: CELValue] = ["s": .string("héllo 😀 TODO")]
        #expect(try evalCEL("size(s) == 12 && s.size() == 12", b) == .bool(true))
        #expect(try evalCEL("size(b'ab') == 2 && size([1]) == 1 && size({}) == 0") == .bool(true))
        #expect(try evalCEL("s.contains('TODO') && s.contains('') && !s.contains('todo')", b) == .bool(true))
        #expect(try evalCEL("s.startsWith('hé') && s.endsWith('DO') && !s.startsWith('x')", b) == .bool(true))
        #expect(try evalCEL("s.matches('^h.llo') && matches(s, 'T[O]DO$') && !s.matches('^x')", b) == .bool(true))
        #expect(try evalCEL("'abc'.matches('(?P<x>b)')") == .bool(true))  // RE2 named group
        #expect(celError("'a'.matches('(')")?.message == "invalid regular expression: (")
        #expect(celError("size(1)") != nil)
        #expect(celError("1.contains(1)") != nil)
    }

    @Test func conversions() throws {
        #expect(try evalCEL("int('42') + int(3.9) + int(-3.9) + int(2u)") == .int(44))
        #expect(celError("int('4x')") != nil)
        #expect(celError("int(9.3e18)")?.message == "range error")
        #expect(celError("int(18446744073709551615u)")?.message == "range error")
        #expect(celError("int(double('NaN'))")?.message == "range error")
        #expect(try evalCEL("uint(42) + uint('1') + uint(2.5)") == .uint(45))
        #expect(celError("uint(-1)")?.message == "range error")
        #expect(try evalCEL("double(1) + double(1u) + double('0.5')") == .double(2.5))
        #expect(try evalCEL("string(1) + string(2u) + string(1.5) + string(true) + string(b'x')") == .string("121.5truex"))
        #expect(try evalCEL("string(1e100)") == .string("1e+100"))
        #expect(try evalCEL("string(100.0)") == .string("100"))
        #expect(celError("string(b'\\xff')") != nil)
        #expect(try evalCEL("bool('true') && !bool('false') && bool('1')") == .bool(true))
        #expect(celError("bool('yes')") != nil)
        #expect(try evalCEL("bytes('é')") == .bytes([0xc3, 0xa9]))
        #expect(try evalCEL("type(1)") == .type("int"))
        #expect(
            try evalCEL("[type(1u), type(1.0), type(''), type(b''), type(true), type(null), type([]), type({}), type(int)]")
                == .list(["uint", "double", "string", "bytes", "bool", "null_type", "list", "map", "type"].map { .type($0) }))
        #expect(try evalCEL("dyn(1) == 1") == .bool(true))
    }

    @Test func macros() throws {
        #expect(try evalCEL("[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x == 2)") == .bool(true))
        #expect(try evalCEL("[1, 2, 3].exists_one(x, x > 2) && ![1, 2, 3].exists_one(x, x > 1)") == .bool(true))
        #expect(try evalCEL("[1, 2, 3].map(x, x * 2)") == .list([.int(2), .int(4), .int(6)]))
        #expect(try evalCEL("[1, 2, 3].map(x, x > 1, x * 10)") == .list([.int(20), .int(30)]))
        #expect(try evalCEL("[1, 2, 3].filter(x, x % 2 == 1)") == .list([.int(1), .int(3)]))
        #expect(try evalCEL("{'a': 1, 'b': 2}.filter(k, k != 'a')") == .list([.string("b")]))
        #expect(try evalCEL("{'a': 1, 'b': 2}.all(k, k.size() == 1)") == .bool(true))
        #expect(try evalCEL("[[1], [2, 3]].map(l, l.map(y, y + 1))") == .list([.list([.int(2)]), .list([.int(3), .int(4)])]))
        // Errors are absorbed by a decisive element, like && and ||.
        #expect(try evalCEL("[0, 1].exists(x, 1 / x == 1)") == .bool(true))
        #expect(try evalCEL("[0, 1].all(x, 1 / x == 2)") == .bool(false))
        #expect(celError("[0, 1].all(x, 1 / x == 1)")?.message == "division by zero")
        #expect(celError("[0, 1].exists_one(x, 1 / x == 1)")?.message == "division by zero")
        #expect(celError("1.all(x, true)") != nil)
        // Two-variable forms (cel-spec comprehensions extension).
        #expect(try evalCEL("['a', 'b'].all(i, v, i < 2 && v != '')") == .bool(true))
        #expect(try evalCEL("['a', 'b'].transformList(i, v, v + string(i))") == .list([.string("a0"), .string("b1")]))
        #expect(try evalCEL("{'a': 1}.transformMap(k, v, v + 1)") == .map(CELMap([(.string("a"), .int(2))])))
        // A comprehension variable shadows a variable of the same name.
        #expect(try evalCEL("[1, 2].map(x, x + 1) == [2, 3] && x == 'outer'", ["x": .string("outer")]) == .bool(true))
    }

    @Test func stringsExtension() throws {
        #expect(try evalCEL("'  Hi There  '.trim().lowerAscii()") == .string("hi there"))
        #expect(try evalCEL("'abc'.upperAscii()") == .string("ABC"))
        #expect(try evalCEL("'a,b,,c'.split(',')") == .list(["a", "b", "", "c"].map { .string($0) }))
        #expect(try evalCEL("'a,b,c'.split(',', 2)") == .list(["a", "b,c"].map { .string($0) }))
        #expect(try evalCEL("['a', 'b'].join('-') + ['c'].join()") == .string("a-bc"))
        #expect(try evalCEL("'héllo'.indexOf('l') + 'héllo'.lastIndexOf('l')") == .int(5))
        #expect(try evalCEL("'hello'.replace('l', 'L') + 'hello'.replace('l', 'L', 1)") == .string("heLLoheLlo"))
        #expect(try evalCEL("'hello'.substring(1, 3) + 'hello'.charAt(4) + 'abc'.reverse()") == .string("elocba"))
        #expect(celError("'abc'.substring(2, 1)") != nil)
        #expect(celError("'abc'.charAt(4)") != nil)
    }

    @Test func workflowExpressions() throws {
        let condition: [String: CELValue] = [
            "input": .string("write some code"),
            "previous_step_content": .string("draft with TODO items"),
            "previous_step_outputs": .stringMap([("research", .string("done"))]),
            "step_choices": .list([.string("coder"), .string("writer")]),
        ]
        #expect(try evalCEL("previous_step_content.contains(\"TODO\")", condition) == .bool(true))
        #expect(try evalCEL("input.contains(\"code\") ? \"coder\" : \"writer\"", condition) == .string("coder"))
        #expect(try evalCEL("previous_step_outputs.research == 'done' && size(step_choices) == 2", condition) == .bool(true))
        let loop: [String: CELValue] = [
            "current_iteration": .int(2), "max_iterations": .int(3), "all_success": .bool(true),
            "last_step_content": .string("... DONE"),
        ]
        #expect(try evalCEL("last_step_content.contains('DONE') || current_iteration >= max_iterations", loop) == .bool(true))
    }
}
