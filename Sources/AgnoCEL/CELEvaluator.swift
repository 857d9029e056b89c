/// Walks a resolved expression tree. One evaluator per evaluation (it holds the comprehension slots),
/// so a program can be evaluated from many threads at once.
/// `&&` and `||` are commutative over errors (`false && error` and `error && false` are false);
/// `all`/`exists` likewise let a decisive element absorb errors of other elements.
struct CELEvaluator {
    let bindings: [String: CELValue]
    var slots: [CELValue]

    init(bindings: [String: CELValue], slotCount: Int) {
        self.bindings = bindings
        slots = Array(repeating: .null, count: slotCount)
    }

    mutating func eval(_ expr: CELExpr) throws(CELError) -> CELValue {
        switch expr {
        case .literal(let value):
            return value
        case .local(let slot):
            return slots[slot]
        case .variable(let name, let offset):
            guard let value = bindings[name] else { throw CELError(message: "undeclared reference to '\(name)'", offset: offset) }
            return value
        case .ident(let name, _, let offset), .call(let name, _, _, let offset):
            throw CELError(message: "unresolved reference to '\(name)'", offset: offset)  // the checker resolves these
        case .select(let operand, let field, let offset):
            let value = try eval(operand)
            guard case .map(let map) = value else {
                throw CELError(message: "type '\(value.typeName)' does not support field selection", offset: offset)
            }
            guard let result = map[field] else { throw CELError(message: "no such key: '\(field)'", offset: offset) }
            return result
        case .presence(let operand, let field, let offset):
            let value = try eval(operand)
            guard case .map(let map) = value else {
                throw CELError(message: "type '\(value.typeName)' does not support field selection", offset: offset)
            }
            return .bool(map[field] != nil)
        case .index(let operand, let index, let offset):
            do {
                return try CELFunctions.index(try eval(operand), try eval(index))
            } catch {
                throw error.located(offset)
            }
        case .unary(let op, let operand, let offset):
            let value = try eval(operand)
            switch op {
            case .not:
                guard case .bool(let b) = value else { throw CELError.noOverload("!_", [value]).located(offset) }
                return .bool(!b)
            case .negate:
                do { return try CELOperators.negate(value) } catch { throw error.located(offset) }
            }
        case .binary(let op, let lhs, let rhs, let offset):
            let left = try eval(lhs)
            let right = try eval(rhs)
            do { return try CELOperators.binary(op, left, right) } catch { throw error.located(offset) }
        case .and(let lhs, let rhs, let offset):
            return try logical(lhs, rhs, decisive: false, function: "_&&_", offset: offset)
        case .or(let lhs, let rhs, let offset):
            return try logical(lhs, rhs, decisive: true, function: "_||_", offset: offset)
        case .conditional(let condition, let whenTrue, let whenFalse, let offset):
            let value = try eval(condition)
            guard case .bool(let b) = value else { throw CELError.noOverload("_?_:_", [value]).located(offset) }
            return try eval(b ? whenTrue : whenFalse)
        case .list(let items, _):
            var values: [CELValue] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try eval(item)) }
            return .list(values)
        case .map(let entries, let offset):
            var map = CELMap()
            for entry in entries {
                let key = try eval(entry.key)
                let value = try eval(entry.value)
                guard CELMap.isKeyType(key) else { throw CELError(message: "unsupported key type '\(key.typeName)'", offset: offset) }
                if map.contains(key) { throw CELError(message: "Failed with repeated key: \(key)", offset: offset) }
                map.set(key, value)
            }
            return .map(map)
        case .builtin(let builtin, let name, let target, let args, let offset):
            let receiver = try target.map { (t) throws(CELError) in try eval(t) }
            var values: [CELValue] = []
            values.reserveCapacity(args.count)
            for arg in args { values.append(try eval(arg)) }
            guard let builtin else {
                throw CELError(message: "no such overload: '\(name)'", offset: offset)
            }
            do {
                return try CELFunctions.call(builtin, receiver: receiver, args: values)
            } catch {
                throw error.located(offset)
            }
        case .comprehension(let c):
            return try comprehension(c)
        }
    }

    /// `&&` (decisive: false) and `||` (decisive: true): a decisive operand wins over an error in the other one.
    private mutating func logical(_ lhs: CELExpr, _ rhs: CELExpr, decisive: Bool, function: String, offset: Int) throws(CELError)
        -> CELValue
    {
        let left = truth(lhs, function, offset)
        if case .success(decisive) = left { return .bool(decisive) }
        let right = truth(rhs, function, offset)
        if case .success(decisive) = right { return .bool(decisive) }
        if case .failure(let error) = left { throw error }
        if case .failure(let error) = right { throw error }
        return .bool(!decisive)
    }

    private mutating func truth(_ expr: CELExpr, _ function: String, _ offset: Int) -> Result<Bool, CELError> {
        do {
            let value = try eval(expr)
            guard case .bool(let b) = value else { return .failure(CELError.noOverload(function, [value]).located(offset)) }
            return .success(b)
        } catch {
            return .failure(error)
        }
    }
}
