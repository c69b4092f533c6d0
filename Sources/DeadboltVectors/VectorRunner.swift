import Foundation

/// Runs Wycheproof-layout vector files: every test of every group, each through the ``VectorTestKind`` its group's
/// `type` names.
public struct VectorRunner: Sendable {
    /// The result of one file.
    public struct FileReport: Sendable {
        /// The file's path as given.
        public var path: String
        /// The `algorithm` the file names, if any.
        public var algorithm: String?
        /// How many tests passed.
        public var passed: Int
        /// The failed tests: `tcId` (or -1 when a group failed as a whole) and why.
        public var failures: [(tcId: Int, reason: String)]
        /// Set when the file could not be run at all (unreadable, malformed, an unknown test type).
        public var error: VectorError?

        /// How many tests failed, counting an unrunnable file as one failure.
        public var failed: Int { failures.count + (error == nil ? 0 : 1) }
    }

    /// The test kinds this runner knows, keyed by group `type`.
    public let kinds: [String: any VectorTestKind]

    /// A runner for `kinds`.
    public init(kinds: [any VectorTestKind] = VectorRunner.standardKinds) {
        var byType: [String: any VectorTestKind] = [:]
        for kind in kinds { byType[kind.groupType] = kind }
        self.kinds = byType
    }

    /// Every kind Deadbolt ships.
    public static let standardKinds: [any VectorTestKind] = [
        MacTest(), PbkdfTest(), Argon2Test(), EncodedHashTest(), HotpTest(), TotpTest(), OtpauthUriTest(),
    ]

    /// The largest vector file read (64 MiB): a bound, so a wrong path cannot exhaust memory.
    public static let maximumFileSize = 64 << 20

    /// The `.json` files directly in `directory`, sorted by name.
    public static func files(inDirectory directory: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw VectorError.unreadable(path: directory, reason: "cannot list the directory")
        }
        return names.filter { $0.hasSuffix(".json") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Runs every test in the file at `path`.
    public func run(path: String) async -> FileReport {
        let contents: Data
        do throws(VectorError) {
            contents = try read(path: path)
        } catch {
            return FileReport(path: path, algorithm: nil, passed: 0, failures: [], error: error)
        }
        return await run(contents: contents, path: path)
    }

    /// Runs every test in `contents`, the bytes of a vector file; `path` only names it in the report.
    public func run(contents: Data, path: String) async -> FileReport {
        var report = FileReport(path: path, algorithm: nil, passed: 0, failures: [], error: nil)
        do {
            let file = try Self.parse(contents, path: path)
            report.algorithm = try file.optionalString("algorithm")
            for group in try file.objects("testGroups") {
                let type = try group.string("type")
                guard let kind = kinds[type] else { throw VectorError.unknownTestType(type) }
                for test in try group.objects("tests") {
                    let tcId = (try? test.int("tcId")) ?? -1
                    do {
                        switch try await kind.run(test: test, group: group, file: file) {
                        case .passed: report.passed += 1
                        case .failed(let reason): report.failures.append((tcId, reason))
                        }
                    } catch {
                        report.failures.append((tcId, "malformed test: \(error)"))
                    }
                }
            }
        } catch let error as VectorError {
            report.error = error
        } catch {
            report.error = .malformedFile(path: path, reason: "\(error)")
        }
        return report
    }

    private func read(path: String) throws(VectorError) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VectorError.unreadable(path: path, reason: "no such file or not readable")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maximumFileSize + 1) ?? Data()
        } catch {
            throw VectorError.unreadable(path: path, reason: "read failed")
        }
        guard data.count <= Self.maximumFileSize else {
            throw VectorError.unreadable(path: path, reason: "larger than \(Self.maximumFileSize) bytes")
        }
        return data
    }

    /// The top-level object of a vector file's bytes.
    /// - Throws: ``VectorError/unreadable(path:reason:)`` when larger than ``maximumFileSize``,
    ///   ``VectorError/malformedFile(path:reason:)`` when not JSON or not an object at the top.
    public static func parse(_ data: Data, path: String) throws(VectorError) -> VectorObject {
        guard data.count <= maximumFileSize else {
            throw VectorError.unreadable(path: path, reason: "larger than \(maximumFileSize) bytes")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw VectorError.malformedFile(path: path, reason: "invalid JSON")
        }
        guard case .object(let fields) = value else {
            throw VectorError.malformedFile(path: path, reason: "the top level is not an object")
        }
        return VectorObject(fields)
    }
}
