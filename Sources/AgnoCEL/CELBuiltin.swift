/// The functions a CEL program can call: the standard definitions in scope and part of the strings extension
/// (cel-go `ext.Strings`: charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim,
/// join, reverse, format, strings.quote). Timestamp, duration and protobuf functions are not provided.
enum CELBuiltin: String, Sendable, CaseIterable {
    case size, contains, startsWith, endsWith, matches
    case int, uint, double, string, bool, bytes, type, dyn
    case charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join, reverse, format
    case quote = "strings.quote"

    /// The argument counts (not counting the receiver) allowed for the global form and for the receiver form.
    var arities: (global: Set<Int>, receiver: Set<Int>) {
        switch self {
        case .size: ([1], [0])
        case .matches: ([2], [1])
        case .contains, .startsWith, .endsWith, .charAt: ([], [1])
        case .int, .uint, .double, .string, .bool, .bytes, .type, .dyn: ([1], [])
        case .indexOf, .lastIndexOf, .split, .substring: ([], [1, 2])
        case .replace: ([], [2, 3])
        case .lowerAscii, .upperAscii, .trim, .reverse: ([], [0])
        case .join: ([], [0, 1])
        case .format: ([], [1])
        case .quote: ([1], [])
        }
    }

    func accepts(receiver: Bool, argumentCount: Int) -> Bool {
        (receiver ? arities.receiver : arities.global).contains(argumentCount)
    }

    /// Names that evaluate to type values (`type(1) == int`).
    static let typeNames: Set<String> = ["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"]
}
