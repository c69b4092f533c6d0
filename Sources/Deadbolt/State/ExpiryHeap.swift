/// A binary min-heap of expiry times for one shard of ``InMemoryStateStore``, so sweeping expired entries and
/// finding the entry nearest expiry cost O(log n) per entry instead of a scan of the whole shard on every insert
/// into a full shard (a flood of distinct keys inserts into a full shard every time).
///
/// Entries are never removed from the middle: an item whose `generation` no longer matches its key's entry is
/// stale and skipped when it reaches the top. ``needsCompaction(liveCount:)`` bounds the stale items.
///
/// An item's `expiresAt` is a lower bound on its entry's expiry, not always the expiry itself: a write that moves
/// an entry's expiry later (every allowed decision on a token bucket does) leaves the item alone, and the shard
/// puts the item back with the true time when it reaches the top. Items name their entry by the key's hash and the
/// generation, not by the key, so they hold no strings and copying one retains nothing.
struct ExpiryHeap {
    struct Item {
        var expiresAt: Int64
        var generation: UInt64
        /// The entry's ``StateKey/storeHash``, which finds its slot in the shard.
        var hash: UInt64
    }

    private(set) var items: [Item] = []
    /// At least the latest `expiresAt` in the heap (pops never lower it, so it may be above). An item at or past it
    /// needs no sift: expiries mostly grow (a new key expires a fixed time from now), and skipping the comparison
    /// with the parent, far back in the array, saved a cache miss per new key in a flood.
    private var ceiling: Int64 = .min

    var count: Int { items.count }
    var top: Item? { items.first }

    init(reservingCapacity capacity: Int = 0) {
        items.reserveCapacity(capacity)
    }

    mutating func push(_ item: Item) {
        items.append(item)
        if item.expiresAt >= ceiling {
            ceiling = item.expiresAt
        } else {
            siftUp(items.count - 1)
        }
    }

    @discardableResult
    mutating func pop() -> Item? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        siftDown(0)
        return first
    }

    /// Whether stale items outnumber live ones enough that rebuilding is cheaper than carrying them.
    func needsCompaction(liveCount: Int) -> Bool {
        items.count > 2 * liveCount + 64
    }

    /// Replaces the contents with `live` items (one per entry that expires), heapified bottom-up in O(n).
    mutating func rebuild(from live: [Item]) {
        items = live
        ceiling = live.reduce(.min) { max($0, $1.expiresAt) }
        var parent = items.count / 2
        while parent > 0 {
            parent -= 1
            siftDown(parent)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].expiresAt < items[parent].expiresAt else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left].expiresAt < items[smallest].expiresAt { smallest = left }
            if right < items.count, items[right].expiresAt < items[smallest].expiresAt { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
