/// Journal field names: journald keeps only `[A-Z0-9_]`, at most 64 characters, not starting with `_` (trusted
/// fields) or a digit, and silently drops entries' other fields. Metadata keys are mapped to such names.
public enum JournalFieldName {
    /// `run_id` → `AGNO_RUN_ID`; `workflow-name` → `AGNO_WORKFLOW_NAME`; nil when nothing usable is left.
    public static func forMetadata(_ key: String, prefix: String = "AGNO_") -> String? {
        let body = sanitise(key)
        guard !body.isEmpty else { return nil }
        return String((prefix + body).prefix(64))
    }

    /// Upper-cases, replaces other characters with `_`, and strips leading `_` and digits.
    public static func sanitise(_ key: String) -> String {
        var out = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": out.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9", "_": out.unicodeScalars.append(scalar)
            default: out.append("_")
            }
        }
        while let first = out.first, first == "_" || first.isNumber { out.removeFirst() }
        return String(out.prefix(64))
    }
}
