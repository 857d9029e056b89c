import AgnoCore
import AgnoDaemon
import AgnoProtocol
import Benchmark
import NIOCore

/// The functions every streamed chunk goes through, one benchmark each, per chunk:
/// the model's SSE `data:` payload parsed into the turn (ChatStreamAccumulator), the RunContent event built and
/// encoded (RunEvents), and the event framed for a reader (the daemon's frame writer), plus the JSON parse alone.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo, maxDuration: .seconds(3),
        maxIterations: 1_000_000)
    let chunk = Array(
        #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1765000000,"model":"m","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}"#
            .utf8)

    Benchmark("JSON parse of a chunk", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? JSONValue.parse(chunk[...])) }
    }

    Benchmark("chunk into the turn (ChatStreamAccumulator.take)", configuration: configuration) { benchmark in
        var accumulator = ChatStreamAccumulator()
        for _ in benchmark.scaledIterations { blackHole(try? accumulator.take(chunk[...])) }
    }

    let events = RunEvents(runID: "run_01JCXYZ0000000000000000000", sessionID: "sess_1", workflowName: "article")
    let context = events.agentContext(
        agentRunID: "run_01JCXYZ0000000000000000001",
        place: StepPlace(name: "research", index: 0, path: "research", type: "Step"), agentID: "researcher",
        agentName: "Research Agent")
    Benchmark("RunContent event built and encoded", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(events.runContent("word ", context)) }
    }

    Benchmark("RunContent event as a JSON object, then encoded (the generic path)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(events.agent(.runContent, context, [("content", .string("word "))]).encoded)
        }
    }

    let encoded = events.agent(.runContent, context, [("content", .string("word "))]).encoded
    let idPrefix = ReplyEncoder.idPrefix(.int(7))
    Benchmark("event frame written for a reader", configuration: configuration) { benchmark in
        var buffer = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        var seq = 0
        for _ in benchmark.scaledIterations {
            seq += 1
            buffer.writeEventFrame(idPrefix: idPrefix, seq: seq, eventJSON: encoded)
            if buffer.readableBytes > 60 * 1024 { buffer.clear() }
        }
        blackHole(buffer)
    }

    // A replay's page: 512 stored events framed straight from the block the store read (one reservation).
    let page = EventBlock((1...512).map { EncodedEvent(seq: $0, json: encoded) })
    Benchmark("replay page of 512 events framed from its EventBlock (per page)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var buffer = ByteBufferAllocator().buffer(capacity: 0)
            buffer.writeEventFrames(idPrefix: idPrefix, page)
            blackHole(buffer)
        }
    }
}
