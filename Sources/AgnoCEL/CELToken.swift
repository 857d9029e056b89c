/// A lexical token of a CEL expression, with the offset (in Unicode scalars) where it starts.
struct CELToken: Sendable {
    enum Kind: Sendable, Equatable {
        case int(UInt64)  // magnitude; the parser applies a preceding '-' and checks the int64 range
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        case ident(String)
        /// A backtick-quoted field name: m.`content-type` (only after '.' and in has()).
        case quotedIdent(String)
        case punct(String)  // ( ) [ ] { } . , : ? + - * / % ! == != < <= > >= && ||
        case end
    }

    var kind: Kind
    var offset: Int

    /// How the token reads in a message: `'foo'`, `')'`, `end of expression`.
    var display: String {
        switch kind {
        case .int(let v): "'\(v)'"
        case .uint(let v): "'\(v)u'"
        case .double(let v): "'\(CELValue.formatDouble(v, literal: true))'"
        case .string(let s): "string literal \(CELValue.quote(s))"
        case .bytes: "bytes literal"
        case .ident(let name): "'\(name)'"
        case .quotedIdent(let name): "'`\(name)`'"
        case .punct(let p): "'\(p)'"
        case .end: "'end of expression'"
        }
    }

    func isPunct(_ p: String) -> Bool {
        if case .punct(let q) = kind { return p == q }
        return false
    }
}
