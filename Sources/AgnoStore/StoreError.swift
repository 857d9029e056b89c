/// Why the store could not be opened.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public var description: String { "run store \(path): \(reason)" }
}
