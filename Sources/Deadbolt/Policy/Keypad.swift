/// The geometry of a phone keypad (ITU-T E.161), from which the keypad-pattern rule is derived rather than listed:
///
///     1 2 3
///     4 5 6
///     7 8 9
///     * 0 #
///
/// `*` and `#` cannot be part of a PIN, but they hold their places, so 0 sits under 8 and 7-0 is a diagonal.
enum Keypad {
    /// A key's place: row 0 at the top, column 0 at the left.
    struct Position: Equatable {
        var row: Int
        var column: Int
    }

    /// The move from one key to the next.
    struct Step: Equatable {
        var rows: Int
        var columns: Int

        /// One key in any of the eight directions: the move a finger makes without lifting far.
        var isToNeighbour: Bool { max(abs(rows), abs(columns)) == 1 }
    }

    /// Indexed by digit.
    static let positions: [Position] = [
        Position(row: 3, column: 1),
        Position(row: 0, column: 0), Position(row: 0, column: 1), Position(row: 0, column: 2),
        Position(row: 1, column: 0), Position(row: 1, column: 1), Position(row: 1, column: 2),
        Position(row: 2, column: 0), Position(row: 2, column: 1), Position(row: 2, column: 2),
    ]

    /// The corners of the 3×3 block of 1–9 (1, 3, 7, 9) and the middles of its edges (2, 4, 6, 8): the two shapes
    /// a PIN traces when it uses exactly one of these sets (1379 "the corners", 2468 "the diamond").
    static let shapes: [Set<UInt8>] = {
        let corners = Set((1...9).filter { isCorner(positions[$0]) }.map(UInt8.init))
        let edges = Set((1...9).filter { isEdgeMiddle(positions[$0]) }.map(UInt8.init))
        return [corners, edges]
    }()

    static func step(from first: UInt8, to second: UInt8) -> Step {
        let a = positions[Int(first)]
        let b = positions[Int(second)]
        return Step(rows: b.row - a.row, columns: b.column - a.column)
    }

    /// Whether the keys form one stroke with at most one bend: every move goes to a neighbouring key, and the
    /// direction changes at most once (2580 straight down; 1470 down the left column then to 0; 7532 up the
    /// diagonal then left). Requires at least three keys: two keys always form a stroke.
    static func isStroke(_ digits: ArraySlice<UInt8>) -> Bool {
        guard digits.count >= 3 else { return false }
        var previous: Step?
        var bends = 0
        var index = digits.startIndex
        while index + 1 < digits.endIndex {
            let move = step(from: digits[index], to: digits[index + 1])
            guard move.isToNeighbour else { return false }
            if let previous, previous != move { bends += 1 }
            guard bends <= 1 else { return false }
            previous = move
            index += 1
        }
        return true
    }

    /// Whether the keys are whole straight lines of three keys, one after another: rows, columns or diagonals of
    /// the keypad walked in either direction (789456, 147258, 159753). Only for lengths divisible by three.
    static func isLines(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 6, digits.count % 3 == 0 else { return false }
        return stride(from: 0, to: digits.count, by: 3).allSatisfy { start in
            let first = step(from: digits[start], to: digits[start + 1])
            return first.isToNeighbour && first == step(from: digits[start + 1], to: digits[start + 2])
        }
    }

    /// Whether the PIN uses exactly the four corner keys, or exactly the four edge keys, and nothing else.
    static func isShape(_ digits: [UInt8]) -> Bool {
        // A bit per digit rather than a Set: this runs for every candidate when the remaining space is counted.
        let used = digits.reduce(0) { $0 | (1 << Int($1)) }
        return shapeMasks.contains(used)
    }

    private static let shapeMasks: [Int] = shapes.map { shape in shape.reduce(0) { $0 | (1 << Int($1)) } }

    private static func isCorner(_ position: Position) -> Bool {
        [0, 2].contains(position.row) && [0, 2].contains(position.column)
    }

    private static func isEdgeMiddle(_ position: Position) -> Bool {
        (position.row == 1) != (position.column == 1)
    }
}
