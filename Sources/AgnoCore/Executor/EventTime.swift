import AgnoProtocol
import Foundation

/// Events' `created_at`: Unix seconds with millisecond precision.
public enum EventTime {
    public static var nowMilliseconds: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// `milliseconds / 1000` as `JSONValue.double` encodes it (the shortest decimal that reads back as the same
    /// double: `s`, or `s.f`, `s.ff`, `s.fff` without trailing zeros), without formatting a Double.
    static func writeSeconds(milliseconds ms: Int64, into out: inout [UInt8]) {
        guard ms >= 0, ms < 1_000_000_000_000_000 else {
            JSONValue.double(Double(ms) / 1000).encode(into: &out)
            return
        }
        writeDigits(UInt64(ms / 1000), into: &out)
        var fraction = Int(ms % 1000)
        guard fraction != 0 else { return }
        out.append(UInt8(ascii: "."))
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var divisor = digits == 3 ? 100 : digits == 2 ? 10 : 1
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    private static func writeDigits(_ value: UInt64, into out: inout [UInt8]) {
        guard value >= 10 else {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        writeDigits(value / 10, into: &out)
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
