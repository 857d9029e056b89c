/// The error codes of protocol v1.
public enum ErrorCode: String, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case unknownOp = "unknown_op"
    case lineTooLong = "line_too_long"
    case unsupportedProtocol = "unsupported_protocol"
    case notFound = "not_found"
    case permissionDenied = "permission_denied"
    case conflict
    case busy
    case unavailable
    case `internal`
}
