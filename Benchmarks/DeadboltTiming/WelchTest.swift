/// Welch's t-test between two classes of timing measurements, as dudect makes it (Reparaz, Balasch and
/// Verbauwhede, "Dude, is my code constant time?", DATE 2017): one test on every measurement, and one on the
/// measurements below each of 100 thresholds, so the long tail that interrupts and other processes add cannot hide
/// a difference. The largest |t| is the verdict; dudect calls more than 4.5 a leak.
struct WelchTest {
    /// Running mean and sum of squared deviations (Welford), per class.
    struct Moments {
        var count = 0.0
        var mean = 0.0
        var squares = 0.0

        mutating func add(_ value: Double) {
            count += 1
            let delta = value - mean
            mean += delta / count
            squares += delta * (value - mean)
        }

        var variance: Double { count > 1 ? squares / (count - 1) : 0 }
    }

    /// dudect's thresholds: the 1 − 0.5^(10(i+1)/100) quantiles of a first batch, i = 0..<100.
    let thresholds: [UInt64]
    private(set) var all = [Moments(), Moments()]
    private(set) var cropped: [[Moments]]

    /// A test whose thresholds come from `calibration`, measurements made the same way and then discarded.
    init(calibration: [UInt64]) {
        let sorted = calibration.sorted()
        thresholds = (0..<100).map { i in
            let quantile = 1 - pow(0.5, 10 * Double(i + 1) / 100)
            return sorted[min(sorted.count - 1, Int(quantile * Double(sorted.count)))]
        }
        cropped = Array(repeating: [Moments(), Moments()], count: thresholds.count)
    }

    mutating func add(_ cycles: UInt64, class index: Int) {
        all[index].add(Double(cycles))
        for (crop, threshold) in thresholds.enumerated() where cycles < threshold {
            cropped[crop][index].add(Double(cycles))
        }
    }

    static func t(_ a: Moments, _ b: Moments) -> Double {
        guard a.count > 1, b.count > 1 else { return 0 }
        let spread = (a.variance / a.count + b.variance / b.count).squareRoot()
        return spread > 0 ? (a.mean - b.mean) / spread : 0
    }

    /// |t| over every measurement.
    var uncropped: Double { abs(Self.t(all[0], all[1])) }

    /// The largest |t| of all the tests, and which: -1 for the uncropped one, else the threshold's index. Crops
    /// holding fewer than 1,000 measurements a class are skipped, as too small to say anything.
    var largest: (t: Double, crop: Int) {
        var best = (t: uncropped, crop: -1)
        for (index, moments) in cropped.enumerated() where moments[0].count >= 1000 && moments[1].count >= 1000 {
            let t = abs(Self.t(moments[0], moments[1]))
            if t > best.t { best = (t, index) }
        }
        return best
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
