import AgnoProtocol

/// Reads a node's `human_review:` mapping. Refuses unknown keys (with a suggestion), a review that asks for
/// nothing, a schema field of an unknown type or twice, `on_reject: retry` without output review, and
/// `on_timeout: approve` where a required field would then be missing.
struct HumanReviewParser {
    static let keys = [
        "requires_confirmation", "confirmation_message", "requires_user_input", "user_input_message", "user_input_schema",
        "requires_output_review", "output_review_message", "on_reject", "timeout", "on_timeout",
    ]
    static let fieldKeys = ["name", "type", "required", "description", "choices"]

    /// `label` names the node in messages; `type` is its type (`Step`, `Loop`, …).
    func parse(_ value: YAMLValue, label: String, type: String) throws(ConfigError) -> HumanReview {
        let what = "'human_review' of \(label)"
        // agno: a rejected Step cancels the run by default; a rejected construct is skipped.
        var review = HumanReview(onReject: type == "Step" ? .cancel : .skip)
        var onRejectNode: YAMLValue?
        var onTimeoutNode: YAMLValue?
        for (key, keyNode, v) in try value.keyedMapping(what) {
            switch key {
            case "requires_confirmation": review.requiresConfirmation = try v.bool("'requires_confirmation' of \(label)")
            case "confirmation_message": review.confirmationMessage = try v.string("'confirmation_message' of \(label)")
            case "requires_user_input": review.requiresUserInput = try v.bool("'requires_user_input' of \(label)")
            case "user_input_message": review.userInputMessage = try v.string("'user_input_message' of \(label)")
            case "user_input_schema": review.userInputSchema = try fields(v, label: label)
            case "requires_output_review": review.requiresOutputReview = try v.bool("'requires_output_review' of \(label)")
            case "output_review_message": review.outputReviewMessage = try v.string("'output_review_message' of \(label)")
            case "on_reject":
                let raw = try v.string("'on_reject' of \(label)")
                guard let policy = HumanReview.OnReject(rawValue: raw) else {
                    throw v.error("'on_reject' of \(label) must be skip, cancel or retry, not '\(raw)'")
                }
                review.onReject = policy
                onRejectNode = v
            case "timeout":
                let seconds = try v.duration("'timeout' of \(what)")
                guard seconds > 0 else { throw v.error("'timeout' of \(what) must be more than 0") }
                review.timeout = seconds
            case "on_timeout":
                let raw = try v.string("'on_timeout' of \(label)")
                guard let policy = HumanReview.OnTimeout(rawValue: raw) else {
                    throw v.error("'on_timeout' of \(label) must be cancel, skip or approve, not '\(raw)'")
                }
                review.onTimeout = policy
                onTimeoutNode = v
            default: throw ConfigError.unknownKey(key, keyNode, in: what, known: Self.keys)
            }
        }
        guard review.asksBefore || review.requiresOutputReview else {
            throw value.error("\(what) asks for nothing: set requires_confirmation, requires_user_input or requires_output_review")
        }
        if !review.userInputSchema.isEmpty && !review.requiresUserInput {
            throw value.error("\(what) has a 'user_input_schema' but not 'requires_user_input: true'")
        }
        if review.requiresOutputReview && type == "Loop" {
            throw value.error("\(what): a Loop cannot have 'requires_output_review' (review the steps inside it)")
        }
        if review.onReject == .retry && !review.requiresOutputReview, let onRejectNode {
            throw onRejectNode.error("'on_reject: retry' of \(label) needs 'requires_output_review: true' (only an output can be retried)")
        }
        if review.onTimeout == .approve, let required = review.userInputSchema.first(where: \.required), let onTimeoutNode {
            throw onTimeoutNode.error(
                "'on_timeout: approve' of \(label) cannot give the required input field '\(required.name)'; use cancel or skip, or make the field optional"
            )
        }
        if review.onTimeout != .cancel && review.timeout == nil, let onTimeoutNode {
            throw onTimeoutNode.error("'on_timeout' of \(label) needs a 'timeout'")
        }
        return review
    }

    private func fields(_ value: YAMLValue, label: String) throws(ConfigError) -> [InputField] {
        var fields: [InputField] = []
        for (i, item) in try value.sequence("'user_input_schema' of \(label)").enumerated() {
            let what = "field \(i + 1) of the 'user_input_schema' of \(label)"
            var field = InputField(name: "")
            for (key, keyNode, v) in try item.keyedMapping(what) {
                switch key {
                case "name": field.name = try v.string("'name' of \(what)")
                case "type":
                    let raw = try v.string("'type' of \(what)")
                    guard let type = InputField.FieldType(rawValue: raw) else {
                        let types = InputField.FieldType.allCases.map(\.rawValue).joined(separator: ", ")
                        throw v.error("'type' of \(what) must be one of \(types), not '\(raw)'")
                    }
                    field.type = type
                case "required": field.required = try v.bool("'required' of \(what)")
                case "description": field.description = try v.string("'description' of \(what)")
                case "choices": field.choices = try v.stringList("'choices' of \(what)")
                default: throw ConfigError.unknownKey(key, keyNode, in: what, known: Self.fieldKeys)
                }
            }
            guard !field.name.isEmpty else { throw item.error("\(what) has no 'name'") }
            if fields.contains(where: { $0.name == field.name }) {
                throw item.error("\(what): the field '\(field.name)' is listed twice")
            }
            fields.append(field)
        }
        return fields
    }
}
