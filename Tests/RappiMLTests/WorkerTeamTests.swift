import Foundation
import XCTest
@testable import RappiML

/// Where `testAJobDoesNotWaitForAWorkerTheSystemKeepsAway` holds a worker (a signal handler can
/// capture nothing).
nonisolated(unsafe) private var workerEntered = sem_t()
nonisolated(unsafe) private var workerReleased = sem_t()

final class WorkerTeamTests: XCTestCase {
    /// Runs one job of `count` items and returns how often each item ran.
    private func runCounts(_ team: WorkerTeam, count: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: count)
        counts.withUnsafeMutableBufferPointer { buffer in
            let counts = buffer.baseAddress!
            team.run(count: count) { i in counts[i] += 1 }
        }
        return counts
    }

    func testThousandsOfBackToBackJobsRunEveryItemExactlyOnce() {
        let team = WorkerTeam(threads: 3)
        XCTAssertEqual(team.size, 3)
        for job in 0..<5_000 {
            let count = 1 + job % 17
            let counts = runCounts(team, count: count)
            guard counts == [Int](repeating: 1, count: count) else {
                return XCTFail("job \(job) of \(count) items ran them \(counts) times")
            }
        }
    }

    func testWorkersThatParkedWhileIdleWakeForTheNextJob() {
        let team = WorkerTeam(threads: 2)
        for parked in [false, true] {
            if parked {
                // Idle long enough for the worker to spin, yield and park on its condition variable.
                let deadline = Date().addingTimeInterval(10)
                while team.parkedWorkers < 1 && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
                XCTAssertEqual(team.parkedWorkers, 1, "the idle worker never parked")
            }
            // Two items that wait for each other: both run at once only if the worker took part.
            // The job runs on its own thread, so a worker that never wakes fails the test instead
            // of hanging it.
            let bothRan = DispatchSemaphore(value: 0), arrived = DispatchSemaphore(value: 0)
            let answered = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var together = [false, false]
            nonisolated(unsafe) let caller = team  // one caller at a time: this thread waits for it
            Thread.detachNewThread {
                caller.run(count: 2) { i in
                    if i == 0 {
                        arrived.signal()
                        together[0] = bothRan.wait(timeout: .now() + 10) == .success
                    } else {
                        together[1] = arrived.wait(timeout: .now() + 10) == .success
                        bothRan.signal()
                    }
                }
                answered.signal()
            }
            guard answered.wait(timeout: .now() + 30) == .success else {
                return XCTFail(parked ? "the parked worker never woke for the job" : "the job never finished")
            }
            XCTAssertEqual(together, [true, true], parked ? "after the worker parked" : "while the worker spins")
        }
    }

    func testAJobDoesNotWaitForAWorkerTheSystemKeepsAway() {
        // The worker is held in a signal handler (as a thread the OS does not schedule would be)
        // between jobs; the caller must run every job alone rather than wait for it.
        sem_init(&workerEntered, 0, 0)
        sem_init(&workerReleased, 0, 0)
        signal(SIGUSR2) { _ in
            sem_post(&workerEntered)
            while sem_wait(&workerReleased) != 0 {}
        }
        defer { signal(SIGUSR2, SIG_DFL) }
        let team = WorkerTeam(threads: 2)
        pthread_kill(team.workerThreads[0], SIGUSR2)
        while sem_wait(&workerEntered) != 0 {}

        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let caller = team  // one caller at a time: this thread waits for it
        nonisolated(unsafe) var allRanOnce = true
        Thread.detachNewThread {
            for job in 0..<1_000 {
                var counts = [Int](repeating: 0, count: 2 + job % 5)
                counts.withUnsafeMutableBufferPointer { counts in
                    let counts = counts.baseAddress!
                    caller.run(count: 2 + job % 5) { i in counts[i] += 1 }
                }
                allRanOnce = allRanOnce && counts.allSatisfy { $0 == 1 }
            }
            finished.signal()
        }
        let done = finished.wait(timeout: .now() + 30) == .success
        sem_post(&workerReleased)
        XCTAssertTrue(done, "the jobs waited for the held worker")
        XCTAssertTrue(allRanOnce)
        // Released, the worker takes part again.
        XCTAssertEqual(runCounts(team, count: 64), [Int](repeating: 1, count: 64))
    }

    func testMoreItemsThanATicketHoldsRunInBatches() {
        let team = WorkerTeam(threads: 2)
        XCTAssertEqual(runCounts(team, count: 150_000), [Int](repeating: 1, count: 150_000))
    }

    func testATeamOfOneRunsItemsInOrderOnTheCaller() {
        let team = WorkerTeam(threads: 1)
        var order: [Int] = []
        team.run(count: 5) { i in
            XCTAssertTrue(Thread.isMainThread)
            order.append(i)
        }
        XCTAssertEqual(order, [0, 1, 2, 3, 4])
    }

    func testAFreedTeamStopsItsThreads() {
        let before = threadCount()
        for _ in 0..<20 {
            let team = WorkerTeam(threads: 4)
            XCTAssertEqual(runCounts(team, count: 8), [Int](repeating: 1, count: 8))
        }
        XCTAssertLessThanOrEqual(threadCount(), before, "the workers of freed teams are still alive")
    }

    private func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }
}
