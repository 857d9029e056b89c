/// Writes reply lines (each ends with `\n`). An event's JSON is encoded once and spliced into each frame as bytes.
public enum ReplyEncoder {
    public static func result(_ id: RequestID, _ result: JSONValue) -> [UInt8] {
        var out = head(id, "result")
        out.append(contentsOf: #","result":"#.utf8)
        result.encode(into: &out)
        return close(&out)
    }

    public static func error(_ id: RequestID, _ error: ProtocolError) -> [UInt8] {
        var out = head(id, "error")
        out.append(contentsOf: #","error":"#.utf8)
        error.json.encode(into: &out)
        return close(&out)
    }

    /// `eventJSON` is the already-encoded event object.
    public static func event<Bytes: Collection>(_ id: RequestID, seq: Int, eventJSON: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        event(idPrefix: idPrefix(id), seq: seq, eventJSON: eventJSON)
    }

    /// An event frame from a precomputed `idPrefix(id)`: the stored event bytes are spliced in, never re-encoded.
    public static func event<Bytes: Collection>(idPrefix: [UInt8], seq: Int, eventJSON: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var out = idPrefix
        out.reserveCapacity(idPrefix.count + eventJSON.count + 40)
        out.append(contentsOf: #","type":"event","seq":"#.utf8)
        out.append(contentsOf: String(seq).utf8)
        out.append(contentsOf: #","event":"#.utf8)
        out.append(contentsOf: eventJSON)
        return close(&out)
    }

    public static func end(_ id: RequestID, _ run: RunSummary) -> [UInt8] {
        var out = head(id, "end")
        out.append(contentsOf: #","run":"#.utf8)
        run.json.encode(into: &out)
        return close(&out)
    }

    /// The encoded `{"id":…` prefix, reusable for many frames to one request.
    public static func idPrefix(_ id: RequestID) -> [UInt8] {
        var out: [UInt8] = Array(#"{"id":"#.utf8)
        id.json.encode(into: &out)
        return out
    }

    private static func head(_ id: RequestID, _ type: String) -> [UInt8] {
        var out = idPrefix(id)
        out.reserveCapacity(128)
        out.append(contentsOf: #","type":""#.utf8)
        out.append(contentsOf: type.utf8)
        out.append(UInt8(ascii: "\""))
        return out
    }

    private static func close(_ out: inout [UInt8]) -> [UInt8] {
        out.append(UInt8(ascii: "}"))
        out.append(UInt8(ascii: "\n"))
        return out
    }
}
