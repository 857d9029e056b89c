/// Splits CEL source into tokens (cel-spec "Syntax": numbers, strings and bytes with every escape, `//` comments).
struct CELLexer {
    private let chars: [Unicode.Scalar]
    private var pos = 0

    init(_ source: String) { chars = Array(source.unicodeScalars) }

    /// All tokens, ending with `.end`.
    static func tokenize(_ source: String) throws(CELError) -> [CELToken] {
        var lexer = CELLexer(source)
        var tokens: [CELToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        pos + ahead < chars.count ? chars[pos + ahead] : nil
    }

    private static func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { $0 >= "0" && $0 <= "9" } ?? false }
    private static func isHex(_ c: Unicode.Scalar?) -> Bool { c.map { $0.properties.isASCIIHexDigit } ?? false }
    private static func isIdentStart(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                pos += 1
            } else if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n" { pos += 1 }
            } else {
                return
            }
        }
    }

    mutating func next() throws(CELError) -> CELToken {
        skipSpaceAndComments()
        let start = pos
        guard let c = peek() else { return CELToken(kind: .end, offset: start) }
        if CELLexer.isDigit(c) || (c == "." && CELLexer.isDigit(peek(1))) { return try number() }
        if CELLexer.isIdentStart(c) {
            // String prefixes: r, b, and both in either order, any case.
            var prefix = ""
            var look = 0
            while look < 2, let p = peek(look), "rRbB".unicodeScalars.contains(p) {
                prefix.unicodeScalars.append(p)
                look += 1
            }
            for length in stride(from: prefix.unicodeScalars.count, through: 1, by: -1) {
                let letters = Set(prefix.lowercased().prefix(length))
                if letters.count == length, let q = peek(length), q == "\"" || q == "'" {
                    pos += length
                    return try stringLiteral(start: start, raw: letters.contains("r"), bytes: letters.contains("b"))
                }
            }
            var name = ""
            while let d = peek(), CELLexer.isIdentStart(d) || CELLexer.isDigit(d) {
                name.unicodeScalars.append(d)
                pos += 1
            }
            return CELToken(kind: .ident(name), offset: start)
        }
        if c == "\"" || c == "'" { return try stringLiteral(start: start, raw: false, bytes: false) }
        if c == "`" {
            pos += 1
            var name = ""
            while let d = peek(), d != "`" {
                guard CELLexer.isIdentStart(d) || CELLexer.isDigit(d) || "./-~ ".unicodeScalars.contains(d) else {
                    throw CELError(message: "invalid character '\(d.escaped(asASCII: false))' in quoted field name", offset: pos)
                }
                name.unicodeScalars.append(d)
                pos += 1
            }
            guard peek() == "`", !name.isEmpty else { throw CELError(message: "unterminated quoted field name", offset: start) }
            pos += 1
            return CELToken(kind: .quotedIdent(name), offset: start)
        }
        let two = peek(1).map { String(c) + String($0) } ?? ""
        if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
            pos += 2
            return CELToken(kind: .punct(two), offset: start)
        }
        if "()[]{}.,:?+-*/%!<>".unicodeScalars.contains(c) {
            pos += 1
            return CELToken(kind: .punct(String(c)), offset: start)
        }
        throw CELError(message: "unexpected character '\(c.escaped(asASCII: false))'", offset: start)
    }

    private mutating func number() throws(CELError) -> CELToken {
        let start = pos
        if peek() == "0", peek(1) == "x" || peek(1) == "X", CELLexer.isHex(peek(2)) {
            pos += 2
            var text = ""
            while let d = peek(), CELLexer.isHex(d) {
                text.unicodeScalars.append(d)
                pos += 1
            }
            guard let value = UInt64(text, radix: 16) else { throw CELError(message: "integer literal out of range", offset: start) }
            return integerToken(value, start: start)
        }
        var text = ""
        var isDouble = false
        while CELLexer.isDigit(peek()) {
            text.unicodeScalars.append(peek()!)
            pos += 1
        }
        if peek() == ".", CELLexer.isDigit(peek(1)) {
            isDouble = true
            text += "."
            pos += 1
            while CELLexer.isDigit(peek()) {
                text.unicodeScalars.append(peek()!)
                pos += 1
            }
        }
        if peek() == "e" || peek() == "E" {
            var look = 1
            if peek(1) == "+" || peek(1) == "-" { look = 2 }
            if CELLexer.isDigit(peek(look)) {
                isDouble = true
                text += "e"
                if look == 2 { text.unicodeScalars.append(peek(1)!) }
                pos += look
                while CELLexer.isDigit(peek()) {
                    text.unicodeScalars.append(peek()!)
                    pos += 1
                }
            }
        }
        if isDouble {
            guard let value = Double(text) else { throw CELError(message: "invalid double literal", offset: start) }
            return CELToken(kind: .double(value), offset: start)
        }
        guard let value = UInt64(text) else { throw CELError(message: "integer literal out of range", offset: start) }
        return integerToken(value, start: start)
    }

    private mutating func integerToken(_ value: UInt64, start: Int) -> CELToken {
        if peek() == "u" || peek() == "U" {
            pos += 1
            return CELToken(kind: .uint(value), offset: start)
        }
        return CELToken(kind: .int(value), offset: start)
    }

    private mutating func stringLiteral(start: Int, raw: Bool, bytes: Bool) throws(CELError) -> CELToken {
        let quote = peek()!
        let triple = peek(1) == quote && peek(2) == quote
        pos += triple ? 3 : 1
        var decoder = CELStringDecoder(bytes: bytes)
        while true {
            guard let c = peek() else { throw CELError(message: "unterminated string literal", offset: start) }
            if c == quote && (!triple || (peek(1) == quote && peek(2) == quote)) {
                pos += triple ? 3 : 1
                break
            }
            if !triple && (c == "\n" || c == "\r") { throw CELError(message: "unterminated string literal", offset: start) }
            if c == "\\" && !raw {
                let escapeStart = pos
                pos += 1
                do {
                    try decoder.escape(&pos, chars)
                } catch {
                    throw CELError(message: error.message, offset: escapeStart)
                }
            } else {
                decoder.append(c)
                pos += 1
            }
        }
        return CELToken(kind: bytes ? .bytes(decoder.bytes) : .string(decoder.string), offset: start)
    }
}
