import Testing
@testable import Deadbolt

@Suite struct StateClockTests {
    @Test func manualClockMovesOnlyForward() {
        let clock = ManualClock(start: .seconds(5), wallOrigin: 1_000)
        #expect(clock.now() == .seconds(5))
        clock.advance(by: .milliseconds(1500))
        #expect(clock.now() == .milliseconds(6500))
        clock.advance(by: .seconds(-10))
        #expect(clock.now() == .milliseconds(6500))
        #expect(clock.millisecondsSinceEpoch() == 1_000 + 6_500)
    }

    @Test func systemClockNeverGoesBack() {
        let clock = SystemClock()
        var previous = clock.now()
        for _ in 0..<1000 {
            let reading = clock.now()
            #expect(reading >= previous)
            previous = reading
        }
    }

    @Test func durationNanosecondsSaturate() {
        #expect(Duration.seconds(2).saturatingNanoseconds == 2_000_000_000)
        #expect(Duration.milliseconds(-3).saturatingNanoseconds == -3_000_000)
        #expect(Duration.seconds(Int64.max).saturatingNanoseconds == .max)
        #expect(Duration.seconds(Int64.min).saturatingNanoseconds == .min)
        #expect(Int64.max.saturatingAdding(1) == .max)
        #expect(Int64.min.saturatingAdding(-1) == .min)
    }
}
