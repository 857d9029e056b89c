/// Seconds as a person writes them in a message: `10`, `0.5`.
public func secondsText(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}
