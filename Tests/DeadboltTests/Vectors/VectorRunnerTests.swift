import Foundation
import Testing

@testable import DeadboltVectors

/// The repository root, found from this file's path, so tests run from any directory.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

@Suite struct VectorRunnerTests {
    func write(_ json: String) throws -> String {
        let path = NSTemporaryDirectory() + "deadbolt-vector-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func everyShippedVectorPasses() async throws {
        let files = try VectorRunner.files(inDirectory: repositoryRoot + "/Vectors")
        #expect(!files.isEmpty)
        let runner = VectorRunner()
        for file in files {
            let report = await runner.run(path: file)
            #expect(report.error == nil, "\(file): \(String(describing: report.error))")
            #expect(report.failures.isEmpty, "\(file): \(report.failures)")
            #expect(report.passed > 0, "\(file) ran no test")
        }
    }

    @Test func wycheproofFilesPassWhenPresent() async throws {
        let directory = repositoryRoot + "/../shared/vectors/wycheproof/testvectors_v1"
        guard FileManager.default.fileExists(atPath: directory) else { return }  // shared/ is not everywhere
        let runner = VectorRunner()
        for file in try VectorRunner.files(inDirectory: directory) {
            let report = await runner.run(path: file)
            #expect(report.error == nil && report.failures.isEmpty, "\(file)")
            #expect(report.passed > 50)
        }
    }

    @Test func unknownTestTypeIsAnErrorNotASkip() async throws {
        let path = try write(#"{"algorithm":"X","testGroups":[{"type":"FrobTest","tests":[{"tcId":1,"result":"valid"}]}]}"#)
        let report = await VectorRunner().run(path: path)
        #expect(report.error == .unknownTestType("FrobTest"))
        #expect(report.failed == 1)
    }

    @Test func unreadableAndMalformedFilesFail() async throws {
        let missing = await VectorRunner().run(path: "/nonexistent/vectors.json")
        #expect(missing.failed == 1)
        let notJSON = await VectorRunner().run(path: try write("{not json"))
        #expect(notJSON.error == .malformedFile(path: notJSON.path, reason: "invalid JSON"))
    }

    @Test func extraFieldsAreIgnoredAndWrongAnswersFail() async throws {
        // RFC 4231 §4.2 (test case 1), once right, once with a wrong tag, once marked invalid with a wrong tag.
        let key = String(repeating: "0b", count: 20)
        let tag = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        let wrong = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff6"
        let path = try write("""
            {"algorithm":"HMACSHA256","futureField":[1,2],"testGroups":[{"type":"MacTest","keySize":160,"tagSize":256,"tests":[
            {"tcId":1,"comment":"","msg":"4869205468657265","key":"\(key)","tag":"\(tag)","result":"valid","flags":[],"extra":true},
            {"tcId":2,"comment":"","msg":"4869205468657265","key":"\(key)","tag":"\(wrong)","result":"valid","flags":[]},
            {"tcId":3,"comment":"","msg":"4869205468657265","key":"\(key)","tag":"\(wrong)","result":"invalid","flags":[]}
            ]}]}
            """)
        let report = await VectorRunner().run(path: path)
        #expect(report.passed == 2)
        #expect(report.failures.map(\.tcId) == [2])
    }

    @Test func malformedTestIsReportedAsAFailure() async throws {
        let path = try write(#"{"algorithm":"HMACSHA256","testGroups":[{"type":"MacTest","keySize":8,"tagSize":256,"tests":[{"tcId":7,"result":"valid","key":"zz","msg":"","tag":""}]}]}"#)
        let report = await VectorRunner().run(path: path)
        #expect(report.failures.count == 1)
        #expect(report.failures.first?.tcId == 7)
    }
}
