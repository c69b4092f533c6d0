/// What a ``MinHeap`` orders its elements by.
package protocol MinHeapElement {
    associatedtype HeapKey: Comparable
    /// The smallest key is at the top.
    var heapKey: HeapKey { get }
}

/// A binary min-heap in an array: the in-memory store's expiry times (``ExpiryHeap``) and the Redis node pool's
/// deadlines share this one implementation. `@inlinable` so that the Redis module's use is specialized too.
package struct MinHeap<Element: MinHeapElement> {
    /// The elements in heap order (the smallest first).
    package private(set) var elements: [Element] = []

    @inlinable
    package init(reservingCapacity capacity: Int = 0) {
        elements.reserveCapacity(capacity)
    }

    @inlinable package var count: Int { elements.count }
    @inlinable package var isEmpty: Bool { elements.isEmpty }
    /// The smallest element.
    @inlinable package var top: Element? { elements.first }

    /// Adds `element`; returns whether it is now the smallest.
    @inlinable @discardableResult
    package mutating func push(_ element: Element) -> Bool {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard elements[child].heapKey < elements[parent].heapKey else { break }
            elements.swapAt(child, parent)
            child = parent
        }
        return child == 0
    }

    /// Adds `element`, which the caller knows is at least as large as every element: no comparison, so no read of
    /// a parent far back in the array.
    @inlinable
    package mutating func append(largest element: Element) {
        elements.append(element)
    }

    /// Removes and returns the smallest element.
    @inlinable @discardableResult
    package mutating func pop() -> Element? {
        guard let first = elements.first else { return nil }
        let last = elements.removeLast()
        guard !elements.isEmpty else { return first }
        elements[0] = last
        siftDown(from: 0)
        return first
    }

    /// Replaces the contents with `elements`, heap-ordered bottom-up in O(n).
    @inlinable
    package mutating func rebuild(from elements: [Element]) {
        self.elements = elements
        var parent = elements.count / 2
        while parent > 0 {
            parent -= 1
            siftDown(from: parent)
        }
    }

    @usableFromInline
    mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < elements.count, elements[left].heapKey < elements[smallest].heapKey { smallest = left }
            if right < elements.count, elements[right].heapKey < elements[smallest].heapKey { smallest = right }
            guard smallest != parent else { break }
            elements.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
