import Testing
@testable import Deadbolt

/// The blocklist's data: well formed, each group as large as its source prints, every entry refused.
@Suite struct PINPolicyBlocklistTests {
    @Test func everyEntryIsDigitsOfASupportedLength() {
        for entry in PINBlocklist.all {
            #expect(entry.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            #expect(PINPolicy.supportedLengths.contains(entry.utf8.count))
        }
    }

    @Test func groupsHaveTheirSourcesSizes() {
        #expect(PINBlocklist.dataGeneticsFourDigit.count == 23)
        #expect(PINBlocklist.dataGeneticsLonger.count == 6)
        #expect(PINBlocklist.markertFourDigit.count == 10)
        #expect(PINBlocklist.markertSixDigit.count == 10)
        #expect(PINBlocklist.iOSFourDigitExcerpt.count == 28)
        #expect(Set(PINBlocklist.all).count == PINBlocklist.all.count)
    }

    @Test func everyEntryIsRefusedAsCommon() throws {
        let policy = try PINPolicy(lengths: PINPolicy.supportedLengths)
        for entry in PINBlocklist.all {
            #expect(policy.evaluate(entry).contains(.commonPIN))
        }
    }

    @Test func theTopOfEachSourceIsListed() {
        // DataGenetics' first three, Markert et al.'s first four-digit and six-digit entries.
        #expect(Array(PINBlocklist.dataGeneticsFourDigit.prefix(3)) == ["1234", "1111", "0000"])
        #expect(PINBlocklist.markertFourDigit.first == "1234")
        #expect(PINBlocklist.markertSixDigit.first == "123456")
    }
}
