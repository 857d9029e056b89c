import Testing

@testable import AgnoCore

/// Remote readers' wake-ups: a wake-up between a reader's read of the store and its wait is not lost.
@Suite struct EventWakeupsTests {
    @Test func aWakeUpBetweenTheReadAndTheWaitEndsTheWaitAtOnce() async {
        let wakeups = EventWakeups()
        let token = wakeups.token(runID: "r")
        wakeups.wake(["r"])  // the run's final commit lands while the reader is between its read and its wait
        let began = ContinuousClock.now
        await wakeups.wait(runID: "r", since: token, timeout: .seconds(30))
        #expect(ContinuousClock.now - began < .seconds(15))  // it returns at once; only a lost wake-up waits 30 s
        #expect(wakeups.waiting == 0)
    }

    @Test func anotherRunsWakeUpDoesNotEndTheWait() async {
        let wakeups = EventWakeups()
        let token = wakeups.token(runID: "r")
        wakeups.wake(["other"])
        let began = ContinuousClock.now
        await wakeups.wait(runID: "r", since: token, timeout: .milliseconds(200))
        #expect(ContinuousClock.now - began >= .milliseconds(200))
    }

    @Test func aReconnectsWakeAllEndsEveryWaitSinceItsToken() async {
        let wakeups = EventWakeups()
        let token = wakeups.token(runID: "r")
        wakeups.wakeAll()
        let began = ContinuousClock.now
        await wakeups.wait(runID: "r", since: token, timeout: .seconds(30))
        #expect(ContinuousClock.now - began < .seconds(15))
    }

    @Test func aWaiterIsWokenByItsRun() async {
        let wakeups = EventWakeups()
        async let waited: Void = wakeups.wait(runID: "r", since: wakeups.token(runID: "r"), timeout: .seconds(30))
        while wakeups.waiting == 0 { await Task.yield() }
        let began = ContinuousClock.now
        wakeups.wake(["r"])
        await waited
        #expect(ContinuousClock.now - began < .seconds(15))
    }

    @Test func oldWakeUpsAreForgottenAsSpareReadsNeverAsLostOnes() async {
        let wakeups = EventWakeups()
        let token = wakeups.token(runID: "r")
        wakeups.wake(["r"])
        wakeups.wake((0..<20_000).map { "other-\($0)" })  // far more runs than are remembered
        let began = ContinuousClock.now
        await wakeups.wait(runID: "r", since: token, timeout: .seconds(30))
        #expect(ContinuousClock.now - began < .seconds(15))
    }
}
