@testable import AgnoCore
import Testing

@Suite struct RunQueueTests {
    let workflow = WorkflowDefinition(name: "w", agents: [:], steps: [])
    static let writer = StoreWriter(store: MemoryRunStore())

    func record(_ uid: UInt32, _ n: Int) -> RunRecord {
        RunRecord(runID: "\(uid)-\(n)", sessionID: "s", workflow: workflow, owner: Caller(uid: uid, user: "u\(uid)", isAdmin: false), input: "", writer: Self.writer)
    }

    @Test func usersAreServedRoundRobinEachInOrder() {
        var queue = RunQueue()
        for n in 0..<50 { queue.enqueue(record(1, n)) }
        queue.enqueue(record(2, 0))
        queue.enqueue(record(2, 1))
        var order: [String] = []
        for _ in 0..<5 { order.append(queue.next { _ in true }!.runID) }
        #expect(order == ["1-0", "2-0", "1-1", "2-1", "1-2"])
    }

    @Test func aUserAtTheirLimitIsSkippedNotBlocking() {
        var queue = RunQueue()
        queue.enqueue(record(1, 0))
        queue.enqueue(record(2, 0))
        #expect(queue.next { $0 != 1 }?.runID == "2-0")
        #expect(queue.next { $0 != 1 } == nil)
        #expect(queue.next { _ in true }?.runID == "1-0")
    }

    @Test func aCancelledWaitingRunIsRemoved() {
        var queue = RunQueue()
        let a = record(1, 0), b = record(1, 1)
        queue.enqueue(a)
        queue.enqueue(b)
        queue.remove(a)
        #expect(queue.count(for: 1) == 1)
        #expect(queue.next { _ in true }?.runID == "1-1")
        #expect(queue.next { _ in true } == nil)
    }
}
