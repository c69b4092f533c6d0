import CQRCode

/// A QR code (libqrencode through the engine's `CQRCode` shim, error correction level M) drawn as inline SVG for the
/// authenticator enrollment page: black modules on a white square with the 4-module quiet zone ISO/IEC 18004 asks,
/// colours as attributes (the Content-Security-Policy forbids inline `style`), and a title for screen readers.
enum QRCodeSVG {
    /// The SVG element for `text` (an `otpauth://` URI, which holds the secret: the page that shows it is
    /// `no-store`), or `nil` when the text does not fit a QR code.
    static func svg(encoding text: String, title: String) -> String? {
        var modules = [UInt8](repeating: 0, count: Int(DBT_QRCODE_MAX_WIDTH) * Int(DBT_QRCODE_MAX_WIDTH))
        defer { modules.withUnsafeMutableBytes { raw in for index in raw.indices { raw[index] = 0 } } }
        let bytes = Array(text.utf8)
        let width = Int(dbt_qrcode_encode(bytes, bytes.count, &modules, modules.count))
        guard width > 0 else { return nil }
        let quietZone = 4
        let side = width + 2 * quietZone
        var path = ""
        for row in 0..<width {
            for column in 0..<width where modules[row * width + column] != 0 {
                path += "M\(column + quietZone) \(row + quietZone)h1v1h-1z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * 5)" \
            height="\(side * 5)" shape-rendering="crispEdges" role="img" aria-labelledby="qr-title" class="qr">\
            <title id="qr-title">\(HTMLEscaping.escape(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#ffffff"/><path d="\(path)" fill="#000000"/></svg>
            """
    }
}

/// HTML escaping for text placed into markup by hand (mustache's `{{…}}` escapes on its own).
enum HTMLEscaping {
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
