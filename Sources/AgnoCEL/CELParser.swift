/// A recursive-descent parser for the CEL grammar (cel-spec langdef.md, "Syntax"), expanding macros as it goes.
/// Nesting is limited to `maxDepth` levels (parentheses, operands, operator chains), so a hostile expression
/// cannot exhaust the stack: "expression nests too deeply".
struct CELParser {
    static let maxDepth = 100
    /// Reserved words that cannot be identifiers (they can be field and method names after '.').
    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while", "in",
    ]

    let tokens: [CELToken]
    var pos = 0
    var depth = 0

    static func parse(_ source: String) throws(CELError) -> CELExpr {
        var parser = CELParser(tokens: try CELLexer.tokenize(source))
        let expr = try parser.parseExpr()
        if parser.current.kind != .end { throw parser.unexpected("end of expression") }
        return expr
    }

    private init(tokens: [CELToken]) { self.tokens = tokens }

    var current: CELToken { tokens[pos] }
    mutating func advance() -> CELToken {
        let token = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return token
    }
    mutating func accept(_ p: String) -> CELToken? { current.isPunct(p) ? advance() : nil }
    mutating func expect(_ p: String) throws(CELError) -> CELToken {
        if let token = accept(p) { return token }
        throw unexpected("'\(p)'")
    }
    func unexpected(_ what: String) -> CELError {
        CELError(message: "expected \(what) but found \(current.display)", offset: current.offset)
    }
    mutating func enter() throws(CELError) {
        depth += 1
        if depth > CELParser.maxDepth { throw CELError(message: "expression nests too deeply", offset: current.offset) }
    }

    // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
    mutating func parseExpr() throws(CELError) -> CELExpr {
        try enter()
        defer { depth -= 1 }
        let condition = try parseOr()
        guard let question = accept("?") else { return condition }
        let whenTrue = try parseOr()
        _ = try expect(":")
        let whenFalse = try parseExpr()
        return .conditional(condition, whenTrue, whenFalse, offset: question.offset)
    }

    // Unary = Member | "!" {"!"} Member | "-" {"-"} Member; `-` directly before a number literal is part of it.
    mutating func parseUnary() throws(CELError) -> CELExpr {
        if let bang = accept("!") {
            try enter()
            defer { depth -= 1 }
            return .unary(.not, try parseUnary(), offset: bang.offset)
        }
        if let minus = accept("-") {
            try enter()
            defer { depth -= 1 }
            let next = tokens[pos + 1 < tokens.count ? pos + 1 : pos]
            let followedByPostfix = next.isPunct(".") || next.isPunct("[")
            switch current.kind {
            case .int(let magnitude) where !followedByPostfix:
                _ = advance()
                guard magnitude <= UInt64(Int64.max) + 1 else {
                    throw CELError(message: "integer literal out of range", offset: minus.offset)
                }
                return .literal(.int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)))
            case .double(let d) where !followedByPostfix:
                _ = advance()
                return .literal(.double(-d))
            default:
                return .unary(.negate, try parseUnary(), offset: minus.offset)
            }
        }
        return try parseMember()
    }

    // Member = Primary | Member "." SELECTOR ["(" [ExprList] ")"] | Member "[" Expr "]"
    private mutating func parseMember() throws(CELError) -> CELExpr {
        let saved = depth
        defer { depth = saved }
        var expr = try parsePrimary()
        while true {
            if let dot = accept(".") {
                try enter()
                let name: String
                var quoted = false
                switch current.kind {
                case .ident(let n): name = n
                case .quotedIdent(let n): (name, quoted) = (n, true)
                default: throw unexpected("a field or method name")
                }
                let nameToken = advance()
                if !quoted, accept("(") != nil {
                    let args = try parseList(until: ")")
                    expr = try CELMacros.expand(name, target: expr, args: args, offset: nameToken.offset)
                } else {
                    expr = .select(expr, name, offset: dot.offset)
                }
            } else if let bracket = accept("[") {
                try enter()
                let index = try parseExpr()
                _ = try expect("]")
                expr = .index(expr, index, offset: bracket.offset)
            } else if current.isPunct("{"), case .ident = expr {
                throw CELError(message: "message construction is not supported", offset: current.offset)
            } else {
                return expr
            }
        }
    }

    private mutating func parsePrimary() throws(CELError) -> CELExpr {
        let token = current
        switch token.kind {
        case .int(let magnitude):
            _ = advance()
            guard magnitude <= UInt64(Int64.max) else { throw CELError(message: "integer literal out of range", offset: token.offset) }
            return .literal(.int(Int64(magnitude)))
        case .uint(let value):
            _ = advance()
            return .literal(.uint(value))
        case .double(let value):
            _ = advance()
            return .literal(.double(value))
        case .string(let value):
            _ = advance()
            return .literal(.string(value))
        case .bytes(let value):
            _ = advance()
            return .literal(.bytes(value))
        case .ident("true"):
            _ = advance()
            return .literal(.bool(true))
        case .ident("false"):
            _ = advance()
            return .literal(.bool(false))
        case .ident("null"):
            _ = advance()
            return .literal(.null)
        case .ident(let name):
            return try parseIdentifier(name, rooted: false, offset: token.offset)
        case .punct("."):
            _ = advance()
            guard case .ident(let name) = current.kind else { throw unexpected("an identifier") }
            return try parseIdentifier(name, rooted: true, offset: token.offset)
        case .punct("("):
            _ = advance()
            let expr = try parseExpr()
            _ = try expect(")")
            return expr
        case .punct("["):
            _ = advance()
            return .list(try parseList(until: "]", trailingComma: true), offset: token.offset)
        case .punct("{"):
            _ = advance()
            return .map(try parseMapEntries(), offset: token.offset)
        default:
            throw unexpected("an expression")
        }
    }

    private mutating func parseIdentifier(_ name: String, rooted: Bool, offset: Int) throws(CELError) -> CELExpr {
        let nameToken = advance()
        if CELParser.reserved.contains(name) || (rooted && ["true", "false", "null"].contains(name)) {
            throw CELError(message: "reserved identifier '\(name)'", offset: nameToken.offset)
        }
        if accept("(") != nil {
            let args = try parseList(until: ")")
            if rooted { return .call(name, target: nil, args: args, offset: nameToken.offset) }
            return try CELMacros.expand(name, target: nil, args: args, offset: nameToken.offset)
        }
        return .ident(name, rooted: rooted, offset: offset)
    }

    /// `[ExprList] close`, with the opening token already consumed.
    private mutating func parseList(until close: String, trailingComma: Bool = false) throws(CELError) -> [CELExpr] {
        var items: [CELExpr] = []
        if accept(close) != nil { return items }
        while true {
            items.append(try parseExpr())
            if accept(close) != nil { return items }
            guard accept(",") != nil else { throw unexpected("',' or '\(close)'") }
            if trailingComma, accept(close) != nil { return items }
        }
    }

    private mutating func parseMapEntries() throws(CELError) -> [CELMapEntry] {
        var entries: [CELMapEntry] = []
        if accept("}") != nil { return entries }
        while true {
            let key = try parseExpr()
            _ = try expect(":")
            entries.append(CELMapEntry(key: key, value: try parseExpr()))
            if accept("}") != nil { return entries }
            guard accept(",") != nil else { throw unexpected("',' or '}'") }
            if accept("}") != nil { return entries }
        }
    }
}
