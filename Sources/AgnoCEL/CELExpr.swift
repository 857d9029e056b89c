/// The CEL abstract syntax tree. The parser builds it with names unresolved (`.ident`, `.call` by name);
/// the checker (CELChecker) resolves names into variables, comprehension slots, types and builtin functions.
/// Every node keeps the source offset it reports errors at.
indirect enum CELExpr: Sendable {
    case literal(CELValue)
    /// A name as written (`.x` has `rooted`); resolved by the checker.
    case ident(String, rooted: Bool, offset: Int)
    /// A bound variable (resolved).
    case variable(String, offset: Int)
    /// A comprehension variable, by slot (resolved).
    case local(Int)
    /// `operand.field` on a map.
    case select(CELExpr, String, offset: Int)
    /// `has(operand.field)`.
    case presence(CELExpr, String, offset: Int)
    case index(CELExpr, CELExpr, offset: Int)
    case unary(CELUnaryOp, CELExpr, offset: Int)
    case binary(CELBinaryOp, CELExpr, CELExpr, offset: Int)
    case and(CELExpr, CELExpr, offset: Int)
    case or(CELExpr, CELExpr, offset: Int)
    case conditional(CELExpr, CELExpr, CELExpr, offset: Int)
    case list([CELExpr], offset: Int)
    case map([CELMapEntry], offset: Int)
    /// A call as written: `name(args)` or `target.name(args)`.
    case call(String, target: CELExpr?, args: [CELExpr], offset: Int)
    /// A resolved call of a builtin function (nil: unknown, an error when evaluated; only when unchecked).
    case builtin(CELBuiltin?, name: String, target: CELExpr?, args: [CELExpr], offset: Int)
    case comprehension(CELComprehension)

    var offset: Int {
        switch self {
        case .literal, .local: 0
        case .ident(_, _, let o), .variable(_, let o), .select(_, _, let o), .presence(_, _, let o), .index(_, _, let o),
            .unary(_, _, let o), .binary(_, _, _, let o), .and(_, _, let o), .or(_, _, let o), .conditional(_, _, _, let o),
            .list(_, let o), .map(_, let o), .call(_, _, _, let o), .builtin(_, _, _, _, let o):
            o
        case .comprehension(let c): c.offset
        }
    }
}

struct CELMapEntry: Sendable {
    var key: CELExpr
    var value: CELExpr
}

enum CELUnaryOp: String, Sendable {
    case negate = "-_"
    case not = "!_"
}

enum CELBinaryOp: String, Sendable {
    case add = "_+_"
    case subtract = "_-_"
    case multiply = "_*_"
    case divide = "_/_"
    case modulo = "_%_"
    case equal = "_==_"
    case notEqual = "_!=_"
    case less = "_<_"
    case lessEqual = "_<=_"
    case greater = "_>_"
    case greaterEqual = "_>=_"
    case `in` = "@in"
}

/// A macro over a list or map: `range.all(x, p)` and friends, including the two-variable forms
/// (`all(i, v, p)`, `transformList`, `transformMap`) of cel-spec's comprehensions extension.
struct CELComprehension: Sendable {
    enum Kind: Sendable {
        case all, exists, existsOne
        /// `map(x, t)` / `map(x, p, t)` and `transformList(i, v, t)` / `transformList(i, v, p, t)`.
        case map
        case filter
        /// `transformMap(k, v, t)` / `transformMap(k, v, p, t)`: a map from the same keys to `t`.
        case transformMap
    }

    var kind: Kind
    var macro: String
    var range: CELExpr
    var firstVar: String
    /// The second variable of two-variable forms (the element or value; the first is then the index or key).
    var secondVar: String?
    /// The predicate (all/exists/existsOne/filter) or the optional filter of map/transform macros.
    var predicate: CELExpr?
    /// The transform of map/transformList/transformMap.
    var transform: CELExpr?
    var offset: Int
    /// Slots of the variables, set by the checker.
    var firstSlot = 0
    var secondSlot = 0
}
