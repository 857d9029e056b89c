/// The binary operator levels of the CEL grammar, loosest first, each left-associative:
/// `||`, `&&`, relations (`< <= > >= == != in`), `+ -`, `* / %`. Each operator in a chain counts as one nesting level.
extension CELParser {
    mutating func parseOr() throws(CELError) -> CELExpr {
        let saved = depth
        defer { depth = saved }
        var lhs = try parseAnd()
        while let op = accept("||") {
            try enter()
            lhs = .or(lhs, try parseAnd(), offset: op.offset)
        }
        return lhs
    }

    mutating func parseAnd() throws(CELError) -> CELExpr {
        let saved = depth
        defer { depth = saved }
        var lhs = try parseRelation()
        while let op = accept("&&") {
            try enter()
            lhs = .and(lhs, try parseRelation(), offset: op.offset)
        }
        return lhs
    }

    mutating func parseRelation() throws(CELError) -> CELExpr {
        let saved = depth
        defer { depth = saved }
        var lhs = try parseAddition()
        while true {
            let op: CELBinaryOp
            switch current.kind {
            case .punct("<"): op = .less
            case .punct("<="): op = .lessEqual
            case .punct(">"): op = .greater
            case .punct(">="): op = .greaterEqual
            case .punct("=="): op = .equal
            case .punct("!="): op = .notEqual
            case .ident("in"): op = .in
            default: return lhs
            }
            let token = advance()
            try enter()
            lhs = .binary(op, lhs, try parseAddition(), offset: token.offset)
        }
    }

    mutating func parseAddition() throws(CELError) -> CELExpr {
        let saved = depth
        defer { depth = saved }
        var lhs = try parseMultiplication()
        while current.isPunct("+") || current.isPunct("-") {
            let token = advance()
            try enter()
            lhs = .binary(token.isPunct("+") ? .add : .subtract, lhs, try parseMultiplication(), offset: token.offset)
        }
        return lhs
    }

    mutating func parseMultiplication() throws(CELError) -> CELExpr {
        let saved = depth
        defer { depth = saved }
        var lhs = try parseUnary()
        while current.isPunct("*") || current.isPunct("/") || current.isPunct("%") {
            let token = advance()
            let op: CELBinaryOp = token.isPunct("*") ? .multiply : token.isPunct("/") ? .divide : .modulo
            try enter()
            lhs = .binary(op, lhs, try parseUnary(), offset: token.offset)
        }
        return lhs
    }
}
