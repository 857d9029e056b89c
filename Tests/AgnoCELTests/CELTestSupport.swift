@testable import AgnoCEL

/// Evaluates `source` with the given bindings (all declared), rethrowing any compile or runtime error.
func evalCEL(_ source: String, _ bindings: [String: CELValue] = [:]) throws(CELError) -> CELValue {
    try CELProgram.compile(source, variables: Set(bindings.keys)).evaluate(bindings)
}

/// The error of compiling or evaluating `source`, or nil when it succeeds.
func celError(_ source: String, _ bindings: [String: CELValue] = [:]) -> CELError? {
    do {
        _ = try evalCEL(source, bindings)
        return nil
    } catch {
        return error
    }
}

/// The compile error of `source`, or nil when it compiles.
func compileError(_ source: String, variables: Set<String> = []) -> CELError? {
    do {
        _ = try CELProgram.compile(source, variables: variables)
        return nil
    } catch {
        return error
    }
}
