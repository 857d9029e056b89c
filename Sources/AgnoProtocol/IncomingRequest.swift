/// Reads one request line: the `id` first (so even a bad request's error can carry it), then `op` and parameters.
public enum IncomingRequest {
    /// The outcome of reading one line.
    public enum Outcome: Sendable {
        case request(RequestID, Request)
        case failure(RequestID, ProtocolError)
    }

    public static func decode<Bytes: Collection>(_ line: Bytes) -> Outcome where Bytes.Element == UInt8 {
        let json: JSONValue
        do {
            json = try JSONValue.parse(line)
        } catch {
            return .failure(.null, .badRequest(error.description))
        }
        guard case .object = json else {
            return .failure(.null, .badRequest("a request must be a JSON object like {\"id\":1,\"op\":\"hello\",\"protocol\":1}"))
        }
        guard let rawID = json["id"], !rawID.isNull else {
            return .failure(.null, .badRequest("missing required parameter 'id' (a string or an integer)"))
        }
        guard let id = RequestID(json: rawID) else {
            return .failure(.null, .badRequest("parameter 'id' must be a string or an integer"))
        }
        guard let opValue = json["op"], !opValue.isNull else {
            return .failure(id, .badRequest("missing required parameter 'op' (a string)"))
        }
        guard let op = opValue.stringValue else {
            return .failure(id, .badRequest("parameter 'op' must be a string"))
        }
        do {
            return .request(id, try Request(op: op, params: Params(json)))
        } catch {
            return .failure(id, error)
        }
    }
}
