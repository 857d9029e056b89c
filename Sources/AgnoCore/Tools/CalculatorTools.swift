import AgnoProtocol
import Foundation

/// agno's `CalculatorTools`: arithmetic the model can call instead of guessing.
public enum CalculatorTools {
    public static var all: [any Tool] {
        [
            Binary(name: "add", description: "Add two numbers and return the result.") { $0 + $1 },
            Binary(name: "subtract", description: "Subtract the second number from the first and return the result.") { $0 - $1 },
            Binary(name: "multiply", description: "Multiply two numbers and return the result.") { $0 * $1 },
            Binary(name: "divide", description: "Divide the first number by the second and return the result.") { a, b in
                guard b != 0 else { throw ToolError("division by zero is undefined") }
                return a / b
            },
            Binary(name: "exponentiate", description: "Raise the first number to the power of the second.") { pow($0, $1) },
            Unary(name: "square_root", description: "Return the square root of a number.") { n in
                guard n >= 0 else { throw ToolError("square root of a negative number is undefined") }
                return sqrt(n)
            },
            Unary(name: "factorial", description: "Return the factorial of a non-negative integer.") { n in
                guard n >= 0, n == n.rounded(), n <= 170 else { throw ToolError("factorial needs an integer from 0 to 170") }
                return (0..<Int(n)).reduce(1.0) { $0 * Double($1 + 1) }
            },
            Unary(name: "is_prime", description: "Return 1 if the number is prime, 0 if not.") { n in
                guard n == n.rounded(), n < 1e12 else { throw ToolError("is_prime needs an integer below 10^12") }
                let k = Int(n)
                if k < 2 { return 0 }
                var i = 2
                while i * i <= k {
                    if k % i == 0 { return 0 }
                    i += 1
                }
                return 1
            },
        ]
    }

    static func format(_ operation: String, _ value: Double) -> String {
        let number: JSONValue = value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
        return JSONValue.object([("operation", .string(operation)), ("result", number)]).encodedString
    }

    struct Binary: Tool {
        let name: String
        let description: String
        let op: @Sendable (Double, Double) throws -> Double
        var parameters: JSONValue { .numberArguments([("a", "The first number"), ("b", "The second number")]) }
        func call(_ arguments: JSONValue) async throws -> String {
            let result = try op(try arguments.number("a"), try arguments.number("b"))
            guard result.isFinite else { throw ToolError("the result is not a finite number") }
            return CalculatorTools.format(name, result)
        }
    }

    struct Unary: Tool {
        let name: String
        let description: String
        let op: @Sendable (Double) throws -> Double
        var parameters: JSONValue { .numberArguments([("n", "The number")]) }
        func call(_ arguments: JSONValue) async throws -> String {
            CalculatorTools.format(name, try op(try arguments.number("n")))
        }
    }
}
