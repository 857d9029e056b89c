import Foundation

/// Where a secret comes from: a systemd credential (`$CREDENTIALS_DIRECTORY/NAME`, from `LoadCredential=`)
/// or an environment variable; never a configuration file, and never printed.
public struct SecretSource: Sendable, Equatable {
    public var credential: String?
    public var environment: String?

    public init(credential: String? = nil, environment: String? = nil) {
        self.credential = credential
        self.environment = environment
    }

    /// The secret, nil when none is configured; throws when a configured source is missing or empty.
    public func read(_ what: String, environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let credential {
            guard let dir = env["CREDENTIALS_DIRECTORY"] else {
                throw SecretError(
                    "\(what): credential '\(credential)' named, but CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit)")
            }
            let path = (dir as NSString).appendingPathComponent(credential)
            guard let data = FileManager.default.contents(atPath: path),
                let value = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
            else { throw SecretError("\(what): credential file \(path) is missing or empty") }
            return value
        }
        if let environment {
            guard let value = env[environment], !value.isEmpty else {
                throw SecretError("\(what): environment variable \(environment) is not set")
            }
            return value
        }
        return nil
    }
}

public struct SecretError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
