/// A compiled CEL expression: parsed and checked once, evaluated many times (from any thread).
public struct CELProgram: Sendable {
    public let source: String
    let root: CELExpr
    let slotCount: Int

    /// Parses and checks `source`; every identifier that is not a declared variable (or a macro, function or type
    /// name) is refused: CELError "undeclared reference to 'x'" with its offset.
    public static func compile(_ source: String, variables: Set<String>) throws(CELError) -> CELProgram {
        try compile(source, variables: variables, checked: true)
    }

    /// `checked: false` leaves unknown names to fail at evaluation (cel-spec conformance `disable_check`).
    static func compile(_ source: String, variables: Set<String>, checked: Bool) throws(CELError) -> CELProgram {
        let parsed = try CELParser.parse(source)
        var checker = CELChecker(variables: variables, checked: checked)
        let root = try checker.resolve(parsed)
        return CELProgram(source: source, root: root, slotCount: checker.slotCount)
    }

    /// Evaluates with the given bindings; a declared variable without a binding is a runtime error.
    public func evaluate(_ bindings: [String: CELValue]) throws(CELError) -> CELValue {
        var evaluator = CELEvaluator(bindings: bindings, slotCount: slotCount)
        return try evaluator.eval(root)
    }

    /// The string literals the expression can result in, when every result is one (a literal, or conditionals
    /// whose branches are); nil otherwise. Lets a Router check its selector's choice names at load.
    public var resultStringLiterals: [String]? {
        func literals(_ expr: CELExpr) -> [String]? {
            switch expr {
            case .literal(.string(let s)): return [s]
            case .conditional(_, let t, let f, _):
                guard let a = literals(t), let b = literals(f) else { return nil }
                return a + b.filter { !a.contains($0) }
            default: return nil
            }
        }
        return literals(root)
    }
}
