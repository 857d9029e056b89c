/// Text out of an HTML fragment: tags dropped, entities decoded, whitespace collapsed.
enum HTMLText {
    static func plain(_ html: Substring) -> String {
        var out = ""
        var inTag = false
        var i = html.startIndex
        while i < html.endIndex {
            let c = html[i]
            if inTag {
                if c == ">" { inTag = false }
            } else if c == "<" {
                inTag = true
            } else if c == "&", let semicolon = html[i...].prefix(12).firstIndex(of: ";"),
                let decoded = entity(html[html.index(after: i)..<semicolon])
            {
                out.append(decoded)
                i = html.index(after: semicolon)
                continue
            } else {
                out.append(c)
            }
            i = html.index(after: i)
        }
        return out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func entity(_ name: Substring) -> Character? {
        switch name {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos", "#39", "#x27": return "'"
        case "nbsp": return " "
        default:
            if name.hasPrefix("#x") || name.hasPrefix("#X"), let code = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                return Character(scalar)
            }
            if name.hasPrefix("#"), let code = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(code) {
                return Character(scalar)
            }
            return nil
        }
    }
}
