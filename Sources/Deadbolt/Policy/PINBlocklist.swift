// The most common PINs, as published. Only the PIN values (facts) are taken, each group from the source named
// above it. Overlaps between groups are kept on purpose, so each group can be checked against its source.
//
// The full iOS blocklists that Markert et al. extracted (274 four-digit, 2,910 six-digit PINs) are offered for
// download on the project page (https://this-pin-can-be-easily-guessed.github.io/); this build environment could
// not fetch them, so only the top-N lists that the study's publications and the articles below print are here.
// Most of those lists' remaining members are years, dates, runs, repeats and keypad strokes, which the pattern
// rules already refuse; see docs/pin-policy.md.

/// The blocklist behind ``PINPolicy/Violation/commonPIN``.
enum PINBlocklist {
    /// DataGenetics (Nick Berry), "PIN analysis", 3 September 2012,
    /// https://www.datagenetics.com/blog/september32012/ — 3.4 million four-digit passwords from leaked password
    /// tables. The top 20 four-digit PINs in rank order, which the article prints as a table; plus 0007 (#23),
    /// 1984 (#26) and 0070, which the article's text names.
    static let dataGeneticsFourDigit = [
        "1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969",
        "9999", "3333", "5555", "6666", "1122", "1313", "8888", "4321", "2001", "1010",
        "0007", "1984", "0070",
    ]

    /// The same DataGenetics article, longer codes its text names: 12345 (22.8% of five-digit codes), 42069
    /// (#20 of five digits), 696969, 159753 and 007007 among six digits, 8675309 (#4 of seven digits).
    static let dataGeneticsLonger = ["12345", "42069", "696969", "159753", "007007", "8675309"]

    /// Markert, Bailey, Golla, Dürmuth, Aviv, "This PIN Can Be Easily Guessed: Analyzing the Security of
    /// Smartphone Unlock PINs", IEEE Symposium on Security and Privacy 2020 (n = 1,220 participants): the ten
    /// most popular four-digit and six-digit PINs of the study, as listed in the Ruhr-Universität Bochum press
    /// release of March 2020 (reprinted e.g. by securitynewspaper.com, 13 March 2020).
    static let markertFourDigit = [
        "1234", "0000", "2580", "1111", "5555", "5683", "0852", "2222", "1212", "1998",
    ]

    /// See ``markertFourDigit``.
    static let markertSixDigit = [
        "123456", "654321", "111111", "000000", "123123", "666666", "121212", "112233", "789456", "159753",
    ]

    /// iOS's four-digit passcode blocklist, the 27-PIN excerpt printed from the project page above by
    /// iphone-ticker.de ("Diese iPhone-PINs stehen auf Apples schwarzer Liste", 2020); plus 0011, which ZDNet
    /// ("This Raspberry Pi-powered LEGO robot brute-force attacked an iPhone…", March 2020) reports iOS warns on.
    static let iOSFourDigitExcerpt = [
        "1234", "0000", "2580", "1111", "5555", "5683", "0852", "2222", "1212", "1998",
        "6969", "1379", "1997", "2468", "9999", "7777", "1996", "2011", "3333", "1999",
        "8888", "1995", "2525", "1590", "1235", "1994", "4444",
        "0011",
    ]

    /// Every group above, each PIN once, as it appears in the source.
    static let all: [String] = {
        var seen = Set<String>()
        return (dataGeneticsFourDigit + dataGeneticsLonger + markertFourDigit + markertSixDigit + iOSFourDigitExcerpt)
            .filter { seen.insert($0).inserted }
    }()

    /// The blocklist as numeric values per length, so a lookup formats no string. An entry that is not all
    /// digits would be skipped here; a test checks there is none.
    private static let valuesByLength: [Int: Set<Int>] = {
        var table: [Int: Set<Int>] = [:]
        for entry in all {
            guard let value = Int(entry), entry.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { continue }
            table[entry.utf8.count, default: []].insert(value)
        }
        return table
    }()

    static func contains(_ digits: [UInt8]) -> Bool {
        guard let values = valuesByLength[digits.count] else { return false }
        return values.contains(PINRules.number(digits, 0, digits.count))
    }
}
