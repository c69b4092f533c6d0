import CQRCode
import CQRCodeReference
import Foundation
import Testing

/// Deadbolt's own QR encoder (Sources/CQRCode), held to libqrencode's symbols and to the freed-memory probe.
@Suite struct QRCodeTests {
    static let side = Int(DBT_QRCODE_MAX_WIDTH)

    /// Text of `length` bytes, every byte value, so byte mode carries anything.
    func text(_ length: Int, seed: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ seed &* 71 &+ ($0 >> 3)) }
    }

    func ours(_ text: [UInt8], mask: Int32 = -1) -> (width: Int, modules: [UInt8]) {
        var modules = [UInt8](repeating: 0, count: Self.side * Self.side)
        let width = Int(dbt_qrcode_encode_mask(text, text.count, mask, &modules, modules.count))
        return (width, Array(modules.prefix(width * width)))
    }

    func reference(_ text: [UInt8]) -> (width: Int, modules: [UInt8]) {
        var modules = [UInt8](repeating: 0, count: Self.side * Self.side)
        let width = Int(reference_qrcode_encode(text, text.count, &modules, modules.count))
        return (width, Array(modules.prefix(width * width)))
    }

    /// The mask a symbol says it uses: its first copy of the format information (ISO/IEC 18004 §7.9.1), unmasked
    /// with 101010000010010; bits 10 to 12 are the mask, bits 13 and 14 the level (M is 00).
    func format(_ symbol: (width: Int, modules: [UInt8])) -> (level: Int, mask: Int32) {
        func module(_ x: Int, _ y: Int) -> Int { Int(symbol.modules[y * symbol.width + x]) }
        var bits = 0
        for i in 0...5 { bits |= module(8, i) << i }
        bits |= module(8, 7) << 6 | module(8, 8) << 7 | module(7, 8) << 8
        for i in 9..<15 { bits |= module(14 - i, 8) << i }
        bits ^= 0x5412
        return (bits >> 13, Int32(bits >> 10 & 7))
    }

    /// Lengths at and around every version's capacity (byte mode, level M), plus a few short ones.
    static let lengths: [Int] = {
        let capacities = [
            14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779,
            857, 911, 997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
        ]
        return [1, 2, 3, 7, 13] + capacities.flatMap { [$0 - 1, $0, $0 + 1] }.filter { $0 <= 2331 }
    }()

    @Test(arguments: lengths)
    func everySymbolEqualsLibqrencodesWithTheSameMask(length: Int) {
        let input = text(length, seed: length)
        let theirs = reference(input)
        #expect(theirs.width > 0)
        let theirFormat = format(theirs)
        #expect(theirFormat.level == 0)
        let forced = ours(input, mask: theirFormat.mask)
        #expect(forced.width == theirs.width, "version")
        #expect(forced.modules == theirs.modules, "the same modules for mask \(theirFormat.mask)")
        // Our own mask choice is a symbol that says which mask it used, and is that mask's symbol.
        let chosen = ours(input)
        #expect(chosen.width == theirs.width)
        #expect(chosen.modules == ours(input, mask: format(chosen).mask).modules)
    }

    @Test func refusesWhatNoSymbolHolds() {
        var modules = [UInt8](repeating: 0, count: Self.side * Self.side)
        #expect(dbt_qrcode_encode([], 0, &modules, modules.count) == 0)
        let long = text(Int(DBT_QRCODE_MAX_TEXT) + 1, seed: 1)
        #expect(dbt_qrcode_encode(long, long.count, &modules, modules.count) == 0)
        let fits = text(Int(DBT_QRCODE_MAX_TEXT), seed: 1)
        #expect(dbt_qrcode_encode(fits, fits.count, &modules, modules.count) == 177)
        #expect(dbt_qrcode_encode(fits, fits.count, &modules, 177 * 177 - 1) == 0)
        #expect(dbt_qrcode_encode_mask(fits, fits.count, 8, &modules, modules.count) == 0)
    }
}

extension CommandLineTests {
    /// Defect 8 of issue 9: libqrencode copied the otpauth URI into buffers of its own and freed them unwiped (one
    /// freed block held the whole URI, seen with the probe). The encoder now keeps nothing on the heap.
    @Test func qrEncodingLeavesNoCopyOfTheURIOnTheHeap() throws {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        let uri = "otpauth://totp/Example:alice@example.com?secret=\(secret)&issuer=Example&algorithm=SHA1&digits=6&period=30"
        let tool = Self.binary.deletingLastPathComponent().appendingPathComponent("deadbolt-qrcode-encode")
        let probed = try freedBlocksHolding(
            [Array(uri.utf8), Array(secret.utf8)], running: tool, [], input: uri)
        #expect(probed.outcome.status == 0)
        #expect(probed.outcome.output.hasPrefix("49\n"), "version 8: the symbol was made")
        #expect(probed.blocks == [0, 0], "no freed block held the URI or the secret")
    }
}
