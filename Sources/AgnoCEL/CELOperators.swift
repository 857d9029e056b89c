/// CEL's arithmetic, equality and ordering (cel-spec langdef.md "Functions", "Equality", "Ordering"):
/// int64 and uint64 arithmetic fails on overflow, division and modulus by zero fail, doubles follow IEEE 754;
/// `==` and ordering across int, uint and double compare numeric values exactly.
enum CELOperators {
    static func binary(_ op: CELBinaryOp, _ lhs: CELValue, _ rhs: CELValue) throws(CELError) -> CELValue {
        switch op {
        case .add: return try add(lhs, rhs)
        case .subtract, .multiply, .divide, .modulo: return try arithmetic(op, lhs, rhs)
        case .equal: return .bool(equals(lhs, rhs))
        case .notEqual: return .bool(!equals(lhs, rhs))
        case .less, .lessEqual, .greater, .greaterEqual:
            guard let order = compare(lhs, rhs) else {
                if isNaNComparison(lhs, rhs) { return .bool(false) }
                throw CELError.noOverload(op.rawValue, [lhs, rhs])
            }
            switch op {
            case .less: return .bool(order < 0)
            case .lessEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .in: return try membership(lhs, rhs)
        }
    }

    static func add(_ lhs: CELValue, _ rhs: CELValue) throws(CELError) -> CELValue {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.bytes(let a), .bytes(let b)): return .bytes(a + b)
        case (.list(let a), .list(let b)): return .list(a + b)
        default: return try arithmetic(.add, lhs, rhs)
        }
    }

    static func arithmetic(_ op: CELBinaryOp, _ lhs: CELValue, _ rhs: CELValue) throws(CELError) -> CELValue {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)):
            let result: (Int64, Bool)
            switch op {
            case .add: result = a.addingReportingOverflow(b)
            case .subtract: result = a.subtractingReportingOverflow(b)
            case .multiply: result = a.multipliedReportingOverflow(by: b)
            case .divide:
                if b == 0 { throw CELError.divisionByZero }
                result = a.dividedReportingOverflow(by: b)
            default:
                if b == 0 { throw CELError.modulusByZero }
                result = a.remainderReportingOverflow(dividingBy: b)
            }
            if result.1 { throw CELError.overflow }
            return .int(result.0)
        case (.uint(let a), .uint(let b)):
            let result: (UInt64, Bool)
            switch op {
            case .add: result = a.addingReportingOverflow(b)
            case .subtract: result = a.subtractingReportingOverflow(b)
            case .multiply: result = a.multipliedReportingOverflow(by: b)
            case .divide:
                if b == 0 { throw CELError.divisionByZero }
                result = (a / b, false)
            default:
                if b == 0 { throw CELError.modulusByZero }
                result = (a % b, false)
            }
            if result.1 { throw CELError.overflow }
            return .uint(result.0)
        case (.double(let a), .double(let b)):
            switch op {
            case .add: return .double(a + b)
            case .subtract: return .double(a - b)
            case .multiply: return .double(a * b)
            case .divide: return .double(a / b)
            default: break
            }
        default: break
        }
        throw CELError.noOverload(op.rawValue, [lhs, rhs])
    }

    static func negate(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .int(let i):
            if i == Int64.min { throw CELError.overflow }
            return .int(-i)
        case .double(let d): return .double(-d)
        default: throw CELError.noOverload("-_", [value])
        }
    }

    /// CEL `==`: numbers compare by value across int/uint/double (NaN equals nothing), lists and maps element-wise,
    /// values of unrelated types are unequal.
    static func equals(_ lhs: CELValue, _ rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !equals(x, y) { return false }
            return true
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a.entries {
                guard let other = b[key], equals(value, other) else { return false }
            }
            return true
        case (.int, _), (.uint, _), (.double, _):
            return compare(lhs, rhs) == 0
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        default:
            return lhs == rhs
        }
    }

    private static func isNaNComparison(_ lhs: CELValue, _ rhs: CELValue) -> Bool {
        let numeric: (CELValue) -> Bool = {
            switch $0 {
            case .int, .uint, .double: true
            default: false
            }
        }
        guard numeric(lhs) && numeric(rhs) else { return false }
        if case .double(let d) = lhs, d.isNaN { return true }
        if case .double(let d) = rhs, d.isNaN { return true }
        return false
    }

    /// -1, 0 or 1 when the values are ordered (same kind, or numbers of any kinds); nil when not comparable or NaN.
    static func compare(_ lhs: CELValue, _ rhs: CELValue) -> Int? {
        func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a > b ? 1 : 0) }
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return sign(a, b)
        case (.uint(let a), .uint(let b)): return sign(a, b)
        case (.double(let a), .double(let b)): return a.isNaN || b.isNaN ? nil : sign(a, b)
        case (.int(let a), .uint(let b)): return a < 0 ? -1 : sign(UInt64(a), b)
        case (.uint(let a), .int(let b)): return b < 0 ? 1 : sign(a, UInt64(b))
        case (.int(let a), .double(let b)): return compareInt(a, b)
        case (.double(let a), .int(let b)): return compareInt(b, a).map { -$0 }
        case (.uint(let a), .double(let b)): return compareUInt(a, b)
        case (.double(let a), .uint(let b)): return compareUInt(b, a).map { -$0 }
        case (.string(let a), .string(let b)):
            // Strings order (and compare) by code point, not by Swift's canonical equivalence.
            let x = a.unicodeScalars.map(\.value)
            let y = b.unicodeScalars.map(\.value)
            return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
        case (.bytes(let a), .bytes(let b)):
            return a.lexicographicallyPrecedes(b) ? -1 : (a == b ? 0 : 1)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        default: return nil
        }
    }

    // Like cel-go (and the conformance tests), an int or uint compares with a double as the nearest double:
    // dyn(9223372036854775807) >= 9223372036854775808.0.
    private static func compareInt(_ a: Int64, _ b: Double) -> Int? {
        if b.isNaN { return nil }
        let x = Double(a)
        return x < b ? -1 : (x > b ? 1 : 0)
    }

    private static func compareUInt(_ a: UInt64, _ b: Double) -> Int? {
        if b.isNaN { return nil }
        let x = Double(a)
        return x < b ? -1 : (x > b ? 1 : 0)
    }

    /// `x in list` (CEL equality) and `key in map`.
    static func membership(_ element: CELValue, _ container: CELValue) throws(CELError) -> CELValue {
        switch container {
        case .list(let items): return .bool(items.contains { equals(element, $0) })
        case .map(let map): return .bool(map.contains(element))
        default: throw CELError.noOverload("@in", [element, container])
        }
    }
}
