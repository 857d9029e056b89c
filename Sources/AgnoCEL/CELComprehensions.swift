/// Evaluation of the comprehension macros (see CELComprehension).
extension CELEvaluator {
    mutating func comprehension(_ c: CELComprehension) throws(CELError) -> CELValue {
        let range = try eval(c.range)
        // (first, second) per iteration: one-variable forms bind elements (lists) or keys (maps);
        // two-variable forms bind index and element, or key and value.
        var pairs: [(CELValue, CELValue)]
        switch range {
        case .list(let items):
            pairs = c.secondVar == nil ? items.map { ($0, .null) } : items.enumerated().map { (.int(Int64($0.offset)), $0.element) }
        case .map(let map):
            pairs = map.entries.map { ($0.key, $0.value) }
        default:
            throw CELError(message: "\(c.macro)() cannot range over type '\(range.typeName)'", offset: c.offset)
        }
        switch c.kind {
        case .all, .exists:
            let decisive = c.kind == .exists
            var firstError: CELError?
            for (first, second) in pairs {
                bind(c, first, second)
                do {
                    let value = try eval(c.predicate!)
                    guard case .bool(let b) = value else {
                        firstError = firstError ?? CELError.noOverload(c.macro, [value]).located(c.offset)
                        continue
                    }
                    if b == decisive { return .bool(decisive) }
                } catch {
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
            return .bool(!decisive)
        case .existsOne:
            var count = 0
            for (first, second) in pairs {
                bind(c, first, second)
                if try predicate(c) { count += 1 }
            }
            return .bool(count == 1)
        case .filter:
            var result: [CELValue] = []
            for (first, second) in pairs {
                bind(c, first, second)
                if try predicate(c) { result.append(first) }
            }
            return .list(result)
        case .map:
            var result: [CELValue] = []
            for (first, second) in pairs {
                bind(c, first, second)
                if c.predicate != nil, try !predicate(c) { continue }
                result.append(try eval(c.transform!))
            }
            return .list(result)
        case .transformMap:
            var result = CELMap()
            for (first, second) in pairs {
                bind(c, first, second)
                if c.predicate != nil, try !predicate(c) { continue }
                result.set(first, try eval(c.transform!))
            }
            return .map(result)
        }
    }

    private mutating func bind(_ c: CELComprehension, _ first: CELValue, _ second: CELValue) {
        slots[c.firstSlot] = first
        if c.secondVar != nil { slots[c.secondSlot] = second }
    }

    private mutating func predicate(_ c: CELComprehension) throws(CELError) -> Bool {
        let value = try eval(c.predicate!)
        guard case .bool(let b) = value else { throw CELError.noOverload(c.macro, [value]).located(c.offset) }
        return b
    }
}
