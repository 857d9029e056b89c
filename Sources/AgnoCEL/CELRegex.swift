import Foundation

/// `matches`: an unanchored search with NSRegularExpression (ICU syntax, close to RE2 for common patterns;
/// RE2's `(?P<name>...)` is accepted). Compiled patterns are cached.
enum CELRegex {
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var patterns: [String: NSRegularExpression] = [:]
    }
    private static let cache = Cache()

    static func matches(_ text: String, _ pattern: String) throws(CELError) -> Bool {
        if pattern.isEmpty { return true }  // ICU refuses the empty pattern; it matches everywhere
        let regex = try compile(pattern)
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return regex.firstMatch(in: text, options: [], range: range) != nil
    }

    static func compile(_ pattern: String) throws(CELError) -> NSRegularExpression {
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let regex = cache.patterns[pattern] { return regex }
        let translated = pattern.replacingOccurrences(of: "(?P<", with: "(?<")
        guard let regex = try? NSRegularExpression(pattern: translated) else {
            throw CELError(message: "invalid regular expression: \(pattern)")
        }
        if cache.patterns.count > 256 { cache.patterns.removeAll() }
        cache.patterns[pattern] = regex
        return regex
    }
}
