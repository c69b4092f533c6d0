import Foundation

/// One line of a result table.
struct Row: Codable, Sendable {
    /// What was computed, with its parameters.
    var workload: String
    /// Who computed it.
    var implementation: String
    /// `seconds/op` for latency rows, `op/s` for throughput rows.
    var unit: String
    var summary: Summary
    /// This row's median over the Deadbolt row's median for the same workload (for a limit row, the share of the
    /// limit that Deadbolt reaches); nil where no comparison makes sense.
    var ratio: Double?
    var note: String?
}

/// One line of a scaling table: how a cost grows with its work.
struct ScalingRow: Codable, Sendable {
    var series: String
    /// The work: MiB, iterations or workers.
    var work: Double
    var workLabel: String
    var unit: String
    var summary: Summary
    /// The median over rounds of this row's sample over the first row's sample in the same round.
    var ratioToFirst: Double
    /// `ratioToFirst` divided by work over the first row's work: 1.00 means the cost grows linearly with the work
    /// (for throughput: each added worker adds a full worker's rate).
    var ratioPerUnitOfWork: Double
}

struct GroupReport: Codable, Sendable {
    var name: String
    var notes: [String] = []
    var rows: [Row] = []
    var scaling: [ScalingRow] = []
}

struct Machine: Codable, Sendable {
    var architecture: String
    var cpuModel: String
    var cores: Int
    var shaExtensions: Bool

    static func current(shaExtensions: Bool) -> Machine {
        var name = utsname()
        uname(&name)
        let architecture = withUnsafeBytes(of: &name.machine) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        var model = "unknown"
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Machine(architecture: architecture, cpuModel: model, cores: Harness.cores, shaExtensions: shaExtensions)
    }
}

struct Report: Codable, Sendable {
    var machine: Machine
    var command: String
    var quick: Bool
    var started: String
    var groups: [GroupReport] = []
}

enum Format {
    /// A duration in the unit that keeps 3–4 significant digits.
    static func seconds(_ value: Double) -> String {
        if value >= 1 { return String(format: "%.3f s", value) }
        if value >= 1e-3 { return String(format: "%.2f ms", value * 1e3) }
        if value >= 1e-6 { return String(format: "%.2f µs", value * 1e6) }
        return String(format: "%.1f ns", value * 1e9)
    }

    static func rate(_ value: Double) -> String {
        if value >= 1e6 { return String(format: "%.2f M/s", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f k/s", value / 1e3) }
        return String(format: "%.2f /s", value)
    }

    static func value(_ value: Double, unit: String) -> String {
        unit == "op/s" ? rate(value) : seconds(value)
    }

    static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.2f×", value)
    }

    static func table(_ header: [String], _ lines: [[String]]) -> String {
        var widths = header.map { $0.count }
        for line in lines {
            for (index, cell) in line.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            let line = cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return index == 0 || index == 1 ? cell + pad : pad + cell
            }.joined(separator: "  ")
            return String(line.reversed().drop(while: { $0 == " " }).reversed())
        }
        var out = [render(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += lines.map(render)
        return out.joined(separator: "\n")
    }

    static func group(_ group: GroupReport) -> String {
        var text = "== \(group.name)\n"
        if !group.rows.isEmpty {
            var previous: String?
            let lines = group.rows.map { row in
                defer { previous = row.workload }
                return [
                    row.workload == previous ? "" : row.workload, row.implementation, value(row.summary.median, unit: row.unit),
                    value(row.summary.p10, unit: row.unit) + " – " + value(row.summary.p90, unit: row.unit),
                    "\(row.summary.samples)", ratio(row.ratio), row.note ?? "",
                ]
            }
            text += table(["workload", "implementation", "median", "p10 – p90", "n", "÷ Deadbolt", "note"], lines) + "\n"
        }
        if !group.scaling.isEmpty {
            let lines = group.scaling.map { row in
                [
                    row.series, row.workLabel, value(row.summary.median, unit: row.unit),
                    value(row.summary.p10, unit: row.unit) + " – " + value(row.summary.p90, unit: row.unit),
                    "\(row.summary.samples)", String(format: "%.2f", row.ratioToFirst),
                    String(format: "%.2f", row.ratioPerUnitOfWork),
                ]
            }
            text += table(["series", "work", "median", "p10 – p90", "n", "÷ first", "÷ first per unit"], lines) + "\n"
        }
        for note in group.notes { text += "note: \(note)\n" }
        return text
    }
}

extension GroupReport {
    /// Adds a workload's rows with each median compared to the contender named `reference`.
    mutating func add(
        workload: String, names: [String], summaries: [Summary], unit: String, reference: String,
        notes: [String: String] = [:]
    ) {
        let referenceMedian = zip(names, summaries).first(where: { $0.0 == reference })?.1.median
        for (name, summary) in zip(names, summaries) {
            rows.append(
                Row(
                    workload: workload, implementation: name, unit: unit, summary: summary,
                    ratio: referenceMedian.map { summary.median / $0 }, note: notes[name]))
        }
    }
}
