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
    struct Item: MinHeapElement {
        var expiresAt: Int64
        var generation: UInt64
        /// The entry's ``StateKey/storeHash``, which finds its slot in the shard.
        var hash: UInt64

        var heapKey: Int64 { expiresAt }
    }

    private var heap: MinHeap<Item>
    /// At least the latest `expiresAt` in the heap (pops never lower it, so it may be above). An item at or past it
    /// needs no sift: expiries mostly grow (a new key expires a fixed time from now), and skipping the comparison
    /// with the parent, far back in the array, saved a cache miss per new key in a flood.
    private var ceiling: Int64 = .min

    var count: Int { heap.count }
    var top: Item? { heap.top }

    init(reservingCapacity capacity: Int = 0) {
        heap = MinHeap(reservingCapacity: capacity)
    }

    mutating func push(_ item: Item) {
        if item.expiresAt >= ceiling {
            ceiling = item.expiresAt
            heap.append(largest: item)
        } else {
            heap.push(item)
        }
    }

    @discardableResult
    mutating func pop() -> Item? { heap.pop() }

    /// Whether stale items outnumber live ones enough that rebuilding is cheaper than carrying them.
    func needsCompaction(liveCount: Int) -> Bool {
        heap.count > 2 * liveCount + 64
    }

    /// Replaces the contents with `live` items (one per entry that expires).
    mutating func rebuild(from live: [Item]) {
        ceiling = live.reduce(.min) { max($0, $1.expiresAt) }
        heap.rebuild(from: live)
    }
}
