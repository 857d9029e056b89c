import Foundation

/// Removes API keys from text that may reach logs, events or replies (e.g. an error body that echoes the key).
public enum SecretRedactor {
    public static func redact(_ text: String, secrets: [String]) -> String {
        var out = text
        for secret in secrets where secret.count >= 4 {
            out = out.replacingOccurrences(of: secret, with: "[redacted]")
        }
        // Bearer tokens and OpenAI-style keys, even partly masked ones the server echoes back.
        out = out.replacing(/Bearer\s+[A-Za-z0-9._~+\/=-]+/, with: "Bearer [redacted]")
        out = out.replacing(/sk-[A-Za-z0-9*_-]{4,}/, with: "sk-[redacted]")
        return out
    }
}

