/// Macro expansion at parse time (cel-spec "Macros"): `has(a.b)`, `range.all(x, p)`, `exists`, `exists_one`,
/// `map(x, t)`, `map(x, p, t)`, `filter(x, p)`, and the two-variable forms of the comprehensions extension:
/// `all(i, v, p)`, `exists(i, v, p)`, `existsOne(i, v, p)`, `transformList(i, v, [p,] t)`, `transformMap(k, v, [p,] t)`.
/// A call that matches no macro stays a function call.
enum CELMacros {
    static func expand(_ name: String, target: CELExpr?, args: [CELExpr], offset: Int) throws(CELError) -> CELExpr {
        guard let target else {
            if name == "has" && args.count == 1 {
                guard case .select(let operand, let field, let selectOffset) = args[0] else {
                    throw CELError(message: "invalid argument to has() macro", offset: offset)
                }
                return .presence(operand, field, offset: selectOffset)
            }
            return .call(name, target: nil, args: args, offset: offset)
        }
        typealias Kind = CELComprehension.Kind
        let shape: (Kind, vars: Int, predicate: Bool, transform: Bool)?
        switch (name, args.count) {
        case ("all", 2): shape = (.all, 1, true, false)
        case ("all", 3): shape = (.all, 2, true, false)
        case ("exists", 2): shape = (.exists, 1, true, false)
        case ("exists", 3): shape = (.exists, 2, true, false)
        case ("exists_one", 2), ("existsOne", 2): shape = (.existsOne, 1, true, false)
        case ("exists_one", 3), ("existsOne", 3): shape = (.existsOne, 2, true, false)
        case ("map", 2): shape = (.map, 1, false, true)
        case ("map", 3): shape = (.map, 1, true, true)
        case ("filter", 2): shape = (.filter, 1, true, false)
        case ("transformList", 3): shape = (.map, 2, false, true)
        case ("transformList", 4): shape = (.map, 2, true, true)
        case ("transformMap", 3): shape = (.transformMap, 2, false, true)
        case ("transformMap", 4): shape = (.transformMap, 2, true, true)
        default: shape = nil
        }
        guard let shape else { return .call(name, target: target, args: args, offset: offset) }
        var names: [String] = []
        for arg in args.prefix(shape.vars) {
            guard case .ident(let variable, rooted: false, _) = arg else {
                throw CELError(message: "\(name)() macro: argument must be a simple name", offset: arg.offset)
            }
            names.append(variable)
        }
        if shape.vars == 2 && names[0] == names[1] {
            throw CELError(message: "\(name)() macro: duplicate variable name '\(names[0])'", offset: args[1].offset)
        }
        let rest = Array(args.dropFirst(shape.vars))
        return .comprehension(
            CELComprehension(
                kind: shape.0, macro: name, range: target, firstVar: names[0], secondVar: shape.vars == 2 ? names[1] : nil,
                predicate: shape.predicate ? rest[0] : nil, transform: shape.transform ? rest.last : nil, offset: offset))
    }
}
