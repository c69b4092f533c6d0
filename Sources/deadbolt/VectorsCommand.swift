import ArgumentParser
import DeadboltVectors

/// `deadbolt vectors [PATH ...]`: runs known-answer vector files.
struct VectorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Run Wycheproof-layout known-answer vector files (default: every .json file in Vectors/).",
        discussion: """
            Prints a line per file and a last line 'N passed, N failed'. A path may be a file or a directory (its \
            .json files). An unknown test type is an error, never skipped.

            Exit codes: 0 every test passed; 1 a test failed or a file could not be read or run; 2 bad usage.
            """)

    @Argument(help: "Vector files or directories.")
    var paths: [String] = ["Vectors"]

    func run() async throws {
        var files: [String] = []
        var passed = 0
        var failed = 0
        for path in paths {
            if path.hasSuffix(".json") {
                files.append(path)
            } else {
                do {
                    files += try VectorRunner.files(inDirectory: path)
                } catch {
                    print("\(path): ERROR \(error)")
                    failed += 1
                }
            }
        }
        let runner = VectorRunner()
        for file in files {
            let report = await runner.run(path: file)
            passed += report.passed
            failed += report.failed
            if let error = report.error {
                print("\(file): ERROR \(error)")
            } else {
                print("\(file): \(report.algorithm ?? "?"): \(report.passed) passed, \(report.failures.count) failed")
            }
            for failure in report.failures.prefix(20) {
                print("  tcId \(failure.tcId): \(failure.reason)")
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 || passed == 0 { throw ExitCode(1) }
    }
}
