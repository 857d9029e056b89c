import AgnoProtocol

/// `hello`: the server's version and protocol, and who the caller is.
struct HelloHandler {
    func handle(_ request: HelloRequest, _ exchange: Exchange) async throws {
        guard request.protocolVersion == 1 else {
            return try await exchange.fail(ProtocolError(.unsupportedProtocol, "this agnod speaks protocol 1, not \(request.protocolVersion)"))
        }
        try await exchange.result(.object([
            ("server", .string("agnod/\(exchange.daemon.version)")), ("protocol", 1),
            ("uid", .int(Int(exchange.caller.uid))), ("user", .string(exchange.caller.user)), ("admin", .bool(exchange.caller.isAdmin)),
        ]))
    }
}
