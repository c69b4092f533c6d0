/// A type whose bytes can be read in place, so that secrets need not be copied to be hashed or compared.
///
/// Deadbolt conforms `Array<UInt8>`, `ArraySlice<UInt8>`, `ContiguousArray<UInt8>` and ``SecretBytes``.
public protocol ContiguousBytes {
    /// Calls `body` with the bytes; the pointer is valid only during the call.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
}

extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
extension ContiguousArray: ContiguousBytes where Element == UInt8 {}
