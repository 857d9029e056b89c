import Foundation
import Testing

@testable import AgnoCEL

/// Compares AgnoCEL with cel-python (celpy) on Fixtures/oracle/corpus.txt, expressions in agnod's style over the
/// bindings of Fixtures/oracle/bindings.json. Runs only when AGNOD_CEL_PYTHON names a python with celpy
/// (`eval "$(scripts/setup-cel-oracle.sh)"`). Value and error-ness must agree, except for `deviations`.
@Suite struct CELOracleTests {
    static let python = ProcessInfo.processInfo.environment["AGNOD_CEL_PYTHON"]
    static let variables: Set<String> = [
        "input", "previous_step_content", "previous_step_outputs", "additional_data", "session_state", "step_choices",
        "current_iteration", "max_iterations", "all_success", "last_step_content", "step_outputs",
    ]

    enum SpecResult {
        case value(CELValue)
        case error
    }

    /// Where cel-python (0.5.0) departs from cel-spec, AgnoCEL follows the spec: the expression, the spec's result, why.
    static let deviations: [String: (spec: SpecResult, why: String)] = [
        // cel-spec "Equality" / "Ordering": == and ordering are defined across int, uint and double (numeric value),
        // and == across unrelated types is false; cel-python still raises "no matching overload" (pre-2022 spec).
        "1 == 1.0": (.value(.bool(true)), "heterogeneous numeric equality"),
        "1 < 2u": (.value(.bool(true)), "heterogeneous numeric ordering"),
        "current_iteration < 1.5": (.value(.bool(true)), "heterogeneous numeric ordering"),
        "additional_data.ratio < 1": (.value(.bool(true)), "heterogeneous numeric ordering"),
        "additional_data.count == \"3\"": (.value(.bool(false)), "== across unrelated types is false, not an error"),
        "additional_data.count != \"3\"": (.value(.bool(true)), "!= across unrelated types is true, not an error"),
        // Arithmetic has no mixed-type overloads: int + uint and int + double are errors.
        "1 + 1u": (.error, "no overload _+_(int, uint); cel-python adds them"),
        // Lists index from 0 to size-1; Python's negative indexing leaks through in cel-python.
        "step_choices[-1]": (.error, "index out of range; cel-python returns the last element"),
        // Division of a negative double by zero is -Infinity (IEEE 754); cel-python gives +Infinity.
        "-1.0 / 0.0": (.value(.double(-.infinity)), "IEEE 754 sign of infinity"),
        // string(bool) is "true"/"false"; cel-python gives Python's "True".
        "string(true)": (.value(.string("true")), "string(bool) spelling"),
        // int(bool) is not a standard overload; cel-python converts true to 1.
        "int(true)": (.error, "no overload int(bool)"),
        // The three-argument map(x, predicate, transform) macro is standard; cel-python fails to expand it.
        "step_choices.map(c, c.size() > 5, c)": (.value(.list([.string("writer"), .string("reviewer")])), "map with a filter"),
    ]

    struct Case {
        var env: String
        var expr: String
    }

    static func loadCorpus() throws -> (cases: [Case], bindingsJSON: [String: Any], bindings: [String: [String: CELValue]]) {
        let dir = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/oracle")
        let text = try String(contentsOf: dir.appendingPathComponent("corpus.txt"), encoding: .utf8)
        var cases: [Case] = []
        var env = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("@ ") {
                env = String(line.dropFirst(2))
                continue
            }
            cases.append(Case(env: env, expr: String(line)))
        }
        let data = try Data(contentsOf: dir.appendingPathComponent("bindings.json"))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let decoded = try JSONDecoder().decode([String: [String: PlainJSON]].self, from: data)
        return (cases, json, decoded.mapValues { $0.mapValues(\.value) })
    }

    /// Runs celpy_oracle.py on the cases.
    static func runOracle(_ python: String, _ cases: [Case], _ bindings: [String: Any]) throws -> [OracleResult] {
        let dir = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/oracle")
        let request: [String: Any] = ["cases": cases.map { ["expr": $0.expr, "bindings": bindings[$0.env]!] }]
        let requestURL = FileManager.default.temporaryDirectory.appendingPathComponent("cel-oracle-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: request).write(to: requestURL)
        defer { try? FileManager.default.removeItem(at: requestURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [dir.appendingPathComponent("celpy_oracle.py").path]
        process.standardInput = try FileHandle(forReadingFrom: requestURL)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "celpy_oracle.py exited with \(process.terminationStatus)")
        return try JSONDecoder().decode([OracleResult].self, from: data)
    }

    @Test func corpusIsLargeEnough() throws {
        let corpus = try Self.loadCorpus()
        #expect(corpus.cases.count >= 200)
        // Every expression compiles with agnod's variables (the corpus tests evaluation, not compile errors).
        for c in corpus.cases {
            #expect(throws: Never.self, "\(c.expr)") { try CELProgram.compile(c.expr, variables: Self.variables) }
        }
    }

    @Test(.enabled(if: python != nil, "set AGNOD_CEL_PYTHON (scripts/setup-cel-oracle.sh) to compare with cel-python"))
    func agreesWithCelPython() throws {
        let corpus = try Self.loadCorpus()
        let results = try Self.runOracle(Self.python!, corpus.cases, corpus.bindingsJSON)
        try #require(results.count == corpus.cases.count)
        var agreed = 0
        var deviated = 0
        var failures: [String] = []
        for (c, oracle) in zip(corpus.cases, results) {
            let ours: Result<CELValue, CELError> = Result { () throws(CELError) in
                try CELProgram.compile(c.expr, variables: Self.variables).evaluate(corpus.bindings[c.env]!)
            }
            if let deviation = Self.deviations[c.expr] {
                deviated += 1
                let oracleMatchesSpec: Bool
                switch deviation.spec {
                case .value(let v): oracleMatchesSpec = oracle.ok && oracle.value?.value == v
                case .error: oracleMatchesSpec = !oracle.ok
                }
                if oracleMatchesSpec { print("  note: cel-python now follows the spec on \(c.expr); the deviation can go") }
                switch (deviation.spec, ours) {
                case (.value(let expected), .success(let actual)) where expected == actual: continue
                case (.error, .failure): continue
                default: failures.append("\(c.expr): spec says \(deviation.spec), AgnoCEL gives \(ours)")
                }
                continue
            }
            switch (oracle.ok, ours) {
            case (true, .success(let actual)) where oracle.value?.value == actual: agreed += 1
            case (false, .failure): agreed += 1
            default:
                let theirs = oracle.ok ? oracle.value.map { "\($0.value)" } ?? "?" : "error \(oracle.error ?? "")"
                failures.append("[\(c.env)] \(c.expr): cel-python \(theirs), AgnoCEL \(ours)")
            }
        }
        let unused = Set(Self.deviations.keys).subtracting(corpus.cases.map(\.expr))
        #expect(unused.isEmpty, "deviations not in the corpus: \(unused.sorted())")
        print("cel-python oracle: \(agreed) agree, \(deviated) known deviations (spec wins), \(failures.count) disagree")
        for failure in failures { print("  DISAGREE \(failure)") }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
