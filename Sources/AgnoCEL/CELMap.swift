/// A CEL map: entries in insertion order, keys int/uint/bool/string, looked up by CEL key equality
/// (an int key and a uint key with the same numeric value are the same key; a double finds an integral key).
public struct CELMap: Sendable, Equatable {
    /// A key normalised for hashing: uint values that fit an int hash as that int.
    enum Key: Hashable, Sendable {
        case int(Int64)
        case uint(UInt64)
        case bool(Bool)
        case string(String)
    }

    public private(set) var entries: [(key: CELValue, value: CELValue)] = []
    private var index: [Key: Int] = [:]

    public init() {}

    /// A map of these entries, in order; a repeated key keeps the last value. Keys that are not int/uint/bool/string are dropped.
    public init(_ entries: [(CELValue, CELValue)]) {
        for (key, value) in entries { set(key, value) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [CELValue] { entries.map(\.key) }

    /// The value under `key` (CEL key equality), or nil.
    public subscript(key: CELValue) -> CELValue? {
        guard let k = CELMap.lookupKey(key), let i = index[k] else { return nil }
        return entries[i].value
    }

    /// The value under a string key, or nil.
    public subscript(key: String) -> CELValue? {
        guard let i = index[.string(key)] else { return nil }
        return entries[i].value
    }

    /// Sets `key` to `value`; returns false (and changes nothing) when `key` is not a valid map key.
    @discardableResult
    public mutating func set(_ key: CELValue, _ value: CELValue) -> Bool {
        guard let k = CELMap.storageKey(key) else { return false }
        if let i = index[k] {
            entries[i].value = value
        } else {
            index[k] = entries.count
            entries.append((key, value))
        }
        return true
    }

    /// Whether `key` is present.
    public func contains(_ key: CELValue) -> Bool { self[key] != nil }

    /// Whether `value` is a valid map key type (int, uint, bool, string).
    static func isKeyType(_ value: CELValue) -> Bool { storageKey(value) != nil }

    static func storageKey(_ value: CELValue) -> Key? {
        switch value {
        case .int(let i): .int(i)
        case .uint(let u): u <= UInt64(Int64.max) ? .int(Int64(u)) : .uint(u)
        case .bool(let b): .bool(b)
        case .string(let s): .string(s)
        default: nil
        }
    }

    /// Like `storageKey`, and a double with an integral value finds the int or uint key of that value.
    static func lookupKey(_ value: CELValue) -> Key? {
        if case .double(let d) = value {
            if d == d.rounded(.towardZero), d >= -9.223372036854775808e18, d < 9.223372036854775808e18 { return .int(Int64(d)) }
            if d == d.rounded(.towardZero), d >= 0, d < 1.8446744073709551616e19 { return .uint(UInt64(d)) }
            return nil
        }
        return storageKey(value)
    }

    /// Same keys, and equal values under each (structurally); order does not matter.
    public static func == (lhs: CELMap, rhs: CELMap) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.entries {
            guard let other = rhs[key], other == value, sameKeyType(key, rhs, key) else { return false }
        }
        return true
    }

    private static func sameKeyType(_ key: CELValue, _ map: CELMap, _ probe: CELValue) -> Bool {
        guard let k = storageKey(probe), let i = map.index[k] else { return false }
        return map.entries[i].key.typeName == key.typeName
    }
}
