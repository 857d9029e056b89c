import AgnoProtocol
import Testing

@Suite struct RequestDecodingTests {
    func decode(_ line: String) -> IncomingRequest.Outcome { IncomingRequest.decode(Array(line.utf8)) }

    func failure(_ line: String) -> (RequestID, ProtocolError)? {
        if case .failure(let id, let error) = decode(line) { return (id, error) }
        return nil
    }

    @Test func startWithEveryParameterIsRead() throws {
        guard
            case .request(let id, .start(let start)) = decode(
                #"{"id":"a","op":"start","workflow":"article","input":"x","stream":true,"run_id":"r-1","session_id":"s","on_disconnect":"cancel","future":1}"#
            )
        else {
            Issue.record("not a start request")
            return
        }
        #expect(id == .string("a"))
        #expect(start == StartRequest(workflow: "article", input: "x", stream: true, runID: "r-1", sessionID: "s", onDisconnect: .cancel))
    }

    @Test func metricsTakesAnOptionalFormatAndRefusesAnUnknownOne() {
        guard case .request(_, .metrics(let plain)) = decode(#"{"id":1,"op":"metrics"}"#),
            case .request(_, .metrics(let open)) = decode(#"{"id":2,"op":"metrics","format":"openmetrics"}"#)
        else {
            Issue.record("not metrics requests")
            return
        }
        #expect(plain.format == .prometheus && open.format == .openMetrics)
        let (id, error) = failure(#"{"id":3,"op":"metrics","format":"xml"}"#)!
        #expect(id == .int(3) && error.code == .badRequest && error.message.contains(#"'format' must be "prometheus" or "openmetrics""#))
        #expect(
            Request.metrics(MetricsRequest(format: .openMetrics)).encoded(id: .int(4))
                == Array(#"{"id":4,"op":"metrics","format":"openmetrics"}"#.utf8))
    }

    @Test func invalidJSONIsABadRequestWithNullID() {
        let (id, error) = failure("{not json")!
        #expect(id == .null)
        #expect(error.code == .badRequest)
        #expect(error.message.contains("not valid JSON"))
    }

    @Test func invalidUTF8IsABadRequestThatSaysSo() {
        guard case .failure(let id, let error) = IncomingRequest.decode([0xFF, 0xFE]) else {
            Issue.record("decoded")
            return
        }
        #expect(id == .null)
        #expect(error.code == .badRequest && error.message.contains("UTF-8"))
    }

    @Test func missingParameterIsNamed() {
        let (id, error) = failure(#"{"id":3,"op":"start","input":"x"}"#)!
        #expect(id == .int(3))
        #expect(error.code == .badRequest && error.message.contains("'workflow'"))
    }

    @Test func mistypedParameterIsNamed() {
        let (_, error) = failure(#"{"id":3,"op":"stream","run_id":"r","after_seq":"five"}"#)!
        #expect(error.code == .badRequest && error.message.contains("'after_seq'") && error.message.contains("integer"))
    }

    @Test func unknownOpSaysWhichOpsExist() {
        let (id, error) = failure(#"{"id":"x","op":"frobnicate"}"#)!
        #expect(id == .string("x"))
        #expect(error.code == .unknownOp && error.message.contains("frobnicate") && error.message.contains("start"))
    }

    @Test func onDisconnectCancelNeedsStream() {
        let (_, error) = failure(#"{"id":1,"op":"start","workflow":"w","input":"i","on_disconnect":"cancel"}"#)!
        #expect(error.code == .badRequest && error.message.contains("on_disconnect"))
    }

    @Test func anIDThatIsNeitherStringNorIntegerIsRefused() {
        let (id, error) = failure(#"{"id":[1],"op":"hello","protocol":1}"#)!
        #expect(id == .null && error.code == .badRequest && error.message.contains("'id'"))
    }

    @Test func listStatusesMustBeKnown() {
        let (_, error) = failure(#"{"id":1,"op":"list","status":["RUNNING","DONE"]}"#)!
        #expect(error.code == .badRequest && error.message.contains("DONE"))
        guard case .request(_, .list(let list)) = decode(#"{"id":1,"op":"list","status":["running"],"limit":5}"#) else {
            Issue.record("no list")
            return
        }
        #expect(list.statuses == [.running] && list.limit == 5 && !list.allUsers)
    }

    @Test func aClientChosenRunIDMustBeSafe() {
        let (_, error) = failure(#"{"id":1,"op":"start","workflow":"w","input":"i","run_id":"../x y"}"#)!
        #expect(error.code == .badRequest && error.message.contains("run_id"))
    }

    @Test func requestsRoundTripThroughTheirEncoding() throws {
        let requests: [Request] = [
            .hello(HelloRequest(protocolVersion: 1, client: "t")), .workflows(WorkflowsRequest()),
            .start(StartRequest(workflow: "w", input: "in\n\"q\"", stream: true, runID: "r", onDisconnect: .cancel)),
            .stream(StreamRequest(runID: "r", afterSeq: 7)), .cancel(CancelRequest(runID: "r", reason: "why")),
            .status(StatusRequest(runID: "r")), .list(ListRequest(statuses: [.error], limit: 3, allUsers: true)),
            .remove(RemoveRequest(runID: "r")), .toolCalls(ToolCallsRequest(runID: "r")),
            .toolCalls(ToolCallsRequest(runID: "r", toolCallID: "call_1")),
        ]
        for request in requests {
            guard case .request(let id, let decoded) = IncomingRequest.decode(request.encoded(id: .int(9))) else {
                Issue.record("\(request.op) did not decode")
                continue
            }
            #expect(id == .int(9))
            #expect(decoded == request)
        }
    }
}
