import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders the server's pages from the mustache templates shipped as the target's resources, and serves its few
/// static files from memory.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// `/static/<name>` → the file's bytes and content type.
    let staticFiles: [String: (bytes: [UInt8], contentType: String)]
    /// Whether pages show the development-mailbox link.
    let development: Bool
    /// The API's OpenAPI 3.1 document, as checked in (`Resources/openapi.json`).
    let openAPIDocument: [UInt8]

    /// Loads every template and static file.
    ///
    /// - Throws: ``ConfigurationError/missingResource(_:)`` when the resources cannot be found or read.
    init(development: Bool) throws(ConfigurationError) {
        let folder = try ResourceLocator.folder()
        do {
            library = try MustacheLibrary(templates: Self.templates(in: folder + "/Templates"))
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .missingResource("a page template cannot be read: \(error)")
        }
        var files: [String: (bytes: [UInt8], contentType: String)] = [:]
        for (name, type) in [("site.css", "text/css; charset=utf-8"), ("favicon.svg", "image/svg+xml")] {
            guard let data = FileManager.default.contents(atPath: folder + "/Static/" + name) else {
                throw .missingResource("the static file \(name) is missing from \(folder)/Static")
            }
            files[name] = ([UInt8](data), type)
        }
        staticFiles = files
        self.development = development
        guard let document = FileManager.default.contents(atPath: folder + "/openapi.json") else {
            throw .missingResource("openapi.json is missing from \(folder)")
        }
        openAPIDocument = [UInt8](document)
    }

    private static func templates(in folder: String) throws -> [String: MustacheTemplate] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw ConfigurationError.missingResource("the templates folder \(folder) cannot be read")
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in names where name.hasSuffix(".mustache") {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
                throw ConfigurationError.missingResource("the template \(name) cannot be read")
            }
            templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(
                string: String(decoding: data, as: UTF8.self))
        }
        return templates
    }

    /// The page `template` filled with `values` (plus `development`), as an HTML response.
    func page(_ template: String, _ values: [String: Any]) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: .init(string: html(template, values))))
    }

    /// The HTML of `template` filled with `values`.
    func html(_ template: String, _ values: [String: Any]) -> String {
        var values = values
        values["development"] = development
        return library.render(values, withTemplate: template)
            ?? "<!doctype html><title>Error</title><p>Page missing.</p>"
    }

    /// The error page for `problem`.
    func problemPage(_ problem: Problem) -> String {
        var values: [String: Any] = ["title": problem.kind.title, "detail": problem.detail]
        if let seconds = problem.retryAfterSeconds { values["retryAfter"] = seconds }
        return html("problem", values)
    }
}

/// Finds the folder holding the target's resources (`Templates/`, `Static/`, `openapi.json`) without the
/// `Bundle.module` accessor, which stops the process when its bundle is missing: `$DEADBOLT_RESOURCES`, then the
/// bundle SwiftPM puts beside the executable (or the test runner).
enum ResourceLocator {
    static let bundleName = "DeadboltService_DeadboltServer.resources"

    static func folder() throws(ConfigurationError) -> String {
        var candidates: [String] = []
        if let override = ProcessInfo.processInfo.environment["DEADBOLT_RESOURCES"] { candidates.append(override) }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent(bundleName).path)
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(bundleName).path)
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate + "/Templates") {
            return candidate
        }
        throw .missingResource(
            "the server's resources (\(bundleName)) are not beside the executable; keep the folder SwiftPM built next to it, or set DEADBOLT_RESOURCES"
        )
    }
}
