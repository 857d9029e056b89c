/// A step's `input:` with `{{input}}`, `{{previous_step_content}}`, `{{steps.NAME.content}}` and
/// `{{additional_data.KEY}}` placeholders, split at load so that rendering is a walk over the parts.
public struct InputTemplate: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case input
        case previousStepContent
        case stepContent(String)
        case additionalData(String)
    }

    public let source: String
    public let parts: [Part]

    /// Parses `source`; an unknown or unterminated placeholder is refused with what was found.
    public init(_ source: String) throws(TemplateError) {
        self.source = source
        var parts: [Part] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateError(message: "'{{' without a closing '}}'")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            parts.append(try Self.placeholder(name))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    private static func placeholder(_ name: String) throws(TemplateError) -> Part {
        let pieces = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch pieces.first {
        case "input" where pieces.count == 1: return .input
        case "previous_step_content" where pieces.count == 1: return .previousStepContent
        case "steps" where pieces.count == 3 && pieces[2] == "content" && !pieces[1].isEmpty: return .stepContent(pieces[1])
        case "additional_data" where pieces.count == 2 && !pieces[1].isEmpty: return .additionalData(pieces[1])
        default:
            throw TemplateError(
                message:
                    "unknown placeholder '{{\(name)}}' (use {{input}}, {{previous_step_content}}, {{steps.NAME.content}} or {{additional_data.KEY}})"
            )
        }
    }

    /// The step names the template reads.
    public var stepNames: [String] {
        parts.compactMap { if case .stepContent(let name) = $0 { return name } else { return nil } }
    }

    /// The text, with each placeholder replaced (a step that has not run, or a missing key, gives "").
    public func render(input: String, previous: String, outputs: [String: String], additionalData: [String: String]) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let s): out += s
            case .input: out += input
            case .previousStepContent: out += previous
            case .stepContent(let name): out += outputs[name] ?? ""
            case .additionalData(let key): out += additionalData[key] ?? ""
            }
        }
        return out
    }
}

/// Why a template was refused.
public struct TemplateError: Error, Sendable {
    public var message: String
}
