/// Gregorian calendar arithmetic for the date rules: which digit groups can be a real day, month or year.
/// Plain integers, not Foundation `Date`, so no time zone can move a birthday.
enum CalendarDates {
    /// The years the year and date rules treat as years people use: birth years, anniversaries, the current era.
    static let years: ClosedRange<Int> = 1900...2099

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func days(inMonth month: Int, leap: Bool) -> Int {
        switch month {
        case 2: leap ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Whether `day`/`month` is a real day in some year: 29 February counts, since the year is unknown.
    static func isMonthDay(month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= days(inMonth: month, leap: true)
    }

    /// Whether `day`/`month` is a real day in 19`yy` or 20`yy`: 29 February needs one of them to be a leap year,
    /// which for two-digit years means `yy` divisible by four (2000 is a leap year, 1900 is not).
    static func isDate(twoDigitYear: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1
            && day <= days(inMonth: month, leap: twoDigitYear % 4 == 0)
    }

    /// Whether `day`/`month`/`year` is a real day with `year` in ``years``.
    static func isDate(year: Int, month: Int, day: Int) -> Bool {
        years.contains(year) && (1...12).contains(month) && day >= 1
            && day <= days(inMonth: month, leap: isLeap(year))
    }
}
