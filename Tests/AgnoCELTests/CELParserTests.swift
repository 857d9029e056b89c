import Testing

@testable import AgnoCEL

@Suite struct CELParserTests {
    @Test func parseErrorsSayWhatWasExpectedAndWhere() throws {
        let e = compileError("size(input")
        #expect(e?.message == "expected ',' or ')' but found 'end of expression'")
        #expect(e?.offset == 10)
        #expect(e?.description == "expected ',' or ')' but found 'end of expression' at column 11")

        let paren = compileError("(1 + 2")
        #expect(paren?.message == "expected ')' but found 'end of expression'")
        #expect(paren?.offset == 6)

        let colon = compileError("true ? 1 2")
        #expect(colon?.message == "expected ':' but found '2'")
        #expect(colon?.offset == 9)

        let trailing = compileError("1 + 2 3")
        #expect(trailing?.message == "expected end of expression but found '3'")
        #expect(trailing?.offset == 6)

        let missing = compileError("1 +")
        #expect(missing?.message == "expected an expression but found 'end of expression'")
        #expect(missing?.offset == 3)

        #expect(compileError("[1, 2")?.message == "expected ',' or ']' but found 'end of expression'")
        #expect(compileError("{'a' 1}")?.message == "expected ':' but found '1'")
        #expect(compileError("a.")?.message == "expected a field or method name but found 'end of expression'")
    }

    @Test func lexerErrorsCarryTheirOffset() throws {
        let bad = compileError("1 # 2")
        #expect(bad?.message == "unexpected character '#'")
        #expect(bad?.offset == 2)
        let unterminated = compileError("x == 'abc")
        #expect(unterminated?.message == "unterminated string literal")
        #expect(unterminated?.offset == 5)
        #expect(compileError("'a\nb'")?.message == "unterminated string literal")
        let escape = compileError(#"'ab\qc'"#)
        #expect(escape?.message == #"invalid escape sequence '\q'"#)
        #expect(escape?.offset == 3)
        #expect(compileError("9223372036854775808")?.message == "integer literal out of range")
        #expect(compileError("18446744073709551616u")?.message == "integer literal out of range")
        #expect(compileError(#"b'\u00ff'"#) != nil)
        #expect(compileError(#"'\ud800'"#) != nil)  // a surrogate is not a code point
    }

    @Test func offsetsCountCharactersNotBytes() throws {
        let e = compileError("'héllo😀' + foo", variables: [])
        #expect(e?.message == "undeclared reference to 'foo'")
        #expect(e?.offset == 11)
    }

    @Test func undeclaredReferences() throws {
        let e = compileError("input.contains('x') && inptu == 'y'", variables: ["input"])
        #expect(e?.message == "undeclared reference to 'inptu'")
        #expect(e?.offset == 23)
        #expect(compileError("frobnicate(1)")?.message == "undeclared reference to 'frobnicate'")
        #expect(compileError("'a'.frobnicate()")?.message == "undeclared reference to 'frobnicate'")
        // Comprehension variables are in scope only inside the macro.
        #expect(compileError("[1].all(x, x > 0) && x > 0")?.message == "undeclared reference to 'x'")
        #expect(compileError("[1].all(x, x > 0)") == nil)
        // Type names, macros and functions are not variables but are known.
        #expect(compileError("type(1) == int && has({'a': 1}.a) && size('') == 0") == nil)
        // A builtin with the wrong form is refused at compile time.
        #expect(compileError("'a'.int()") != nil)
        #expect(compileError("contains('a', 'b')") != nil)
    }

    @Test func reservedWordsAndMacroArguments() throws {
        #expect(compileError("if")?.message == "reserved identifier 'if'")
        #expect(compileError("1 + while")?.offset == 4)
        #expect(try evalCEL("{'if': 1}.if") == .int(1))  // allowed as a field name
        #expect(compileError("has(x)")?.message == "invalid argument to has() macro")
        #expect(compileError("[1].all(1, true)")?.message == "all() macro: argument must be a simple name")
        #expect(compileError("Foo{a: 1}")?.message == "message construction is not supported")
    }

    @Test func nestingIsLimited() throws {
        let deep = String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)
        let e = compileError(deep)
        #expect(e?.message == "expression nests too deeply")
        #expect(e?.offset != nil)
        let fine = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(try evalCEL(fine) == .int(1))
        #expect(compileError(String(repeating: "!", count: 200) + "true")?.message == "expression nests too deeply")
        #expect(compileError(String(repeating: "[", count: 150))?.message == "expression nests too deeply")
        #expect(compileError((0..<150).map(String.init).joined(separator: " + "))?.message == "expression nests too deeply")
        #expect(try evalCEL((0..<50).map(String.init).joined(separator: " + ")) == .int(1225))
    }

    @Test func literals() throws {
        #expect(try evalCEL("0x1F") == .int(31))
        #expect(try evalCEL("0XFFu") == .uint(255))
        #expect(try evalCEL("1u") == .uint(1))
        #expect(try evalCEL("1.5") == .double(1.5))
        #expect(try evalCEL("1e3") == .double(1000))
        #expect(try evalCEL(".5") == .double(0.5))
        #expect(try evalCEL("2.5E-1") == .double(0.25))
        #expect(try evalCEL("-9223372036854775808") == .int(.min))
        #expect(try evalCEL(#""a\"b""#) == .string("a\"b"))
        #expect(compileError("'it''s'")?.message == "expected end of expression but found string literal \"s\"")
        #expect(try evalCEL(#"'''multi "line"\n'''"#) == .string("multi \"line\"\n"))
        #expect(try evalCEL(#"r'\n\d'"#) == .string(#"\n\d"#))
        #expect(try evalCEL(#"'\u00e9\U0001F600\x41\101\a\?'"#) == .string("é😀AA\u{07}?"))
        #expect(try evalCEL(#"b'\xff\000a'"#) == .bytes([0xff, 0, 0x61]))
        #expect(try evalCEL("b'ÿ'") == .bytes([0xc3, 0xbf]))
        #expect(try evalCEL("true") == .bool(true))
        #expect(try evalCEL("null") == .null)
        #expect(try evalCEL("[1, 'a', [true],]") == .list([.int(1), .string("a"), .list([.bool(true)])]))
        #expect(
            try evalCEL("{'a': 1, 2: 'b', true: null}")
                == .map(CELMap([(.string("a"), .int(1)), (.int(2), .string("b")), (.bool(true), .null)])))
        #expect(try evalCEL("// a comment\n 1 // another\n + 1") == .int(2))
    }

    @Test func precedence() throws {
        #expect(try evalCEL("1 + 2 * 3") == .int(7))
        #expect(try evalCEL("(1 + 2) * 3") == .int(9))
        #expect(try evalCEL("10 - 4 - 3") == .int(3))  // left-associative
        #expect(try evalCEL("100 / 10 / 5") == .int(2))
        #expect(try evalCEL("7 % 4 * 2") == .int(6))
        #expect(try evalCEL("-2 * 3") == .int(-6))
        #expect(try evalCEL("1 + 2 == 3") == .bool(true))
        #expect(try evalCEL("1 < 2 == true") == .bool(true))
        #expect(try evalCEL("true || false && false") == .bool(true))  // && binds tighter than ||
        #expect(try evalCEL("!true || true") == .bool(true))
        #expect(try evalCEL("false ? 1 : true ? 2 : 3") == .int(2))  // ?: is right-associative
        #expect(compileError("true ? false ? 1 : 2 : 3")?.offset == 13)  // the middle operand is not a conditional
        #expect(try evalCEL("true ? (false ? 1 : 2) : 3") == .int(2))
        #expect(try evalCEL("1 in [1] && 2 in [2]") == .bool(true))
        #expect(try evalCEL("[1, 2][1] + 1") == .int(3))
        #expect(try evalCEL("-'abc'.size()") == .int(-3))
        #expect(try evalCEL("!{'a': true}.a") == .bool(false))
        #expect(try evalCEL("---1") == .int(-1))
    }
}
