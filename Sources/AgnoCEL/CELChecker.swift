/// Resolves the names of a parsed expression: comprehension variables become slots, declared variables
/// (also dotted ones such as `a.b`) become variable reads, type names become type values, function names builtins.
/// When checking, any other name is refused: "undeclared reference to 'x'" at its offset; a builtin called with
/// the wrong form or number of arguments is refused too. Unchecked (the conformance tests' `disable_check`), unknown
/// names are left to fail when evaluated.
struct CELChecker {
    let variables: Set<String>
    let checked: Bool
    private var scope: [(name: String, slot: Int)] = []
    private(set) var slotCount = 0

    init(variables: Set<String>, checked: Bool) {
        self.variables = variables
        self.checked = checked
    }

    mutating func resolve(_ expr: CELExpr) throws(CELError) -> CELExpr {
        switch expr {
        case .literal, .variable, .local, .builtin:
            return expr
        case .ident(let name, let rooted, let offset):
            if !rooted, let local = scope.last(where: { $0.name == name }) { return .local(local.slot) }
            if variables.contains(name) { return .variable(name, offset: offset) }
            if CELBuiltin.typeNames.contains(name) { return .literal(.type(name)) }
            if checked { throw CELError(message: "undeclared reference to '\(name)'", offset: offset) }
            return .variable(name, offset: offset)
        case .select(let operand, let field, let offset):
            if let (name, rooted, identOffset) = qualifiedName(expr),
                variables.contains(name),
                rooted || !scope.contains(where: { $0.name == name.prefix { $0 != "." } })
            {
                return .variable(name, offset: identOffset)
            }
            return .select(try resolve(operand), field, offset: offset)
        case .presence(let operand, let field, let offset):
            return .presence(try resolve(operand), field, offset: offset)
        case .index(let operand, let index, let offset):
            return .index(try resolve(operand), try resolve(index), offset: offset)
        case .unary(let op, let operand, let offset):
            return .unary(op, try resolve(operand), offset: offset)
        case .binary(let op, let lhs, let rhs, let offset):
            return .binary(op, try resolve(lhs), try resolve(rhs), offset: offset)
        case .and(let lhs, let rhs, let offset):
            return .and(try resolve(lhs), try resolve(rhs), offset: offset)
        case .or(let lhs, let rhs, let offset):
            return .or(try resolve(lhs), try resolve(rhs), offset: offset)
        case .conditional(let c, let t, let f, let offset):
            return .conditional(try resolve(c), try resolve(t), try resolve(f), offset: offset)
        case .list(let items, let offset):
            var resolved: [CELExpr] = []
            for item in items { resolved.append(try resolve(item)) }
            return .list(resolved, offset: offset)
        case .map(let entries, let offset):
            var resolved: [CELMapEntry] = []
            for entry in entries { resolved.append(CELMapEntry(key: try resolve(entry.key), value: try resolve(entry.value))) }
            return .map(resolved, offset: offset)
        case .call(let name, var target, let args, let offset):
            var name = name
            // A namespaced function (`strings.quote(s)`), unless `strings` is a variable.
            if case .ident(let namespace, _, _) = target, namespace == "strings", !variables.contains(namespace),
                !scope.contains(where: { $0.name == namespace })
            {
                name = namespace + "." + name
                target = nil
            }
            let builtin = CELBuiltin(rawValue: name)
            if checked {
                guard let builtin else { throw CELError(message: "undeclared reference to '\(name)'", offset: offset) }
                guard builtin.accepts(receiver: target != nil, argumentCount: args.count) else {
                    let form = target == nil ? "\(name)(\(args.count) arguments)" : "receiver call .\(name)(\(args.count) arguments)"
                    throw CELError(message: "no matching overload for '\(name)': \(form) is not defined", offset: offset)
                }
            }
            var resolvedArgs: [CELExpr] = []
            for arg in args { resolvedArgs.append(try resolve(arg)) }
            return .builtin(
                builtin, name: name, target: try target.map { (t) throws(CELError) in try resolve(t) }, args: resolvedArgs, offset: offset)
        case .comprehension(var c):
            c.range = try resolve(c.range)
            let saved = scope.count
            defer { scope.removeLast(scope.count - saved) }
            c.firstSlot = push(c.firstVar)
            if let second = c.secondVar { c.secondSlot = push(second) }
            c.predicate = try c.predicate.map { (p) throws(CELError) in try resolve(p) }
            c.transform = try c.transform.map { (t) throws(CELError) in try resolve(t) }
            return .comprehension(c)
        }
    }

    private mutating func push(_ name: String) -> Int {
        let slot = scope.count
        scope.append((name, slot))
        slotCount = max(slotCount, scope.count)
        return slot
    }

    /// `a.b.c` as "a.b.c" when the expression is a chain of selections on an identifier.
    private func qualifiedName(_ expr: CELExpr) -> (String, rooted: Bool, offset: Int)? {
        switch expr {
        case .ident(let name, let rooted, let offset): return (name, rooted, offset)
        case .select(let operand, let field, _):
            guard let (base, rooted, offset) = qualifiedName(operand) else { return nil }
            return (base + "." + field, rooted, offset)
        default: return nil
        }
    }
}
