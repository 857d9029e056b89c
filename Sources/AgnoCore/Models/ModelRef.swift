/// `provider:model`, as workflows name a model (e.g. `local:smollm2`, `openai:gpt-4o-mini`).
public struct ModelRef: Sendable, Hashable, CustomStringConvertible {
    public var provider: String
    public var model: String

    public init(provider: String, model: String) {
        self.provider = provider
        self.model = model
    }

    public init?(_ string: String) {
        guard let colon = string.firstIndex(of: ":") else { return nil }
        let provider = String(string[..<colon])
        let model = String(string[string.index(after: colon)...])
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.init(provider: provider, model: model)
    }

    public var description: String { "\(provider):\(model)" }
}
