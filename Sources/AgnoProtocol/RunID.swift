import Foundation

/// Run and session identifiers.
public enum RunID {
    /// A new random id (a lowercase UUID, as agno uses).
    public static func make() -> String { UUID().uuidString.lowercased() }

    /// Whether a client-chosen id is acceptable: short, and safe in logs, paths and journald fields.
    public static func isValid(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count) else { return false }
        return id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E
        }
    }
}
