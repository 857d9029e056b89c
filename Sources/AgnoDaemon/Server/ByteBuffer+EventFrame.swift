import NIOCore

extension ByteBuffer {
    /// Appends `{"id":…,"type":"event","seq":N,"event":<eventJSON>}\n`: the same bytes as
    /// `ReplyEncoder.event`, without an intermediate array or a String for the seq. One reservation and plain
    /// copies per frame (a replay writes a million frames a second): each of ByteBuffer's own writes, and a
    /// captured cursor, would cost an exclusivity check through thread-local storage.
    public mutating func writeEventFrame(idPrefix: [UInt8], seq: Int, eventJSON: [UInt8]) {
        let most = idPrefix.count + Self.typeSeq.utf8CodeUnitCount + 21 + Self.event.utf8CodeUnitCount + eventJSON.count + 2
        writeWithUnsafeMutableBytes(minimumWritableBytes: most) { out in
            let start = out.baseAddress!
            var at = Self.copy(idPrefix, to: start)
            at = Self.copy(Self.typeSeq, to: at)
            at = Self.decimal(seq, to: at)
            at = Self.copy(Self.event, to: at)
            at = Self.copy(eventJSON, to: at)
            at.storeBytes(of: UInt8(ascii: "}"), as: UInt8.self)
            (at + 1).storeBytes(of: UInt8(ascii: "\n"), as: UInt8.self)
            return at + 2 - start
        }
    }

    private static let typeSeq: StaticString = #","type":"event","seq":"#
    private static let event: StaticString = #","event":"#

    private static func copy(_ bytes: [UInt8], to at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { at.copyMemory(from: base, byteCount: raw.count) }
            return at + raw.count
        }
    }

    private static func copy(_ text: StaticString, to at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        at.copyMemory(from: text.utf8Start, byteCount: text.utf8CodeUnitCount)
        return at + text.utf8CodeUnitCount
    }

    /// Writes `value` in decimal at `at` (room for 21 bytes); returns where it ended.
    private static func decimal(_ value: Int, to at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        var next = at
        if value < 0 {
            next.storeBytes(of: UInt8(ascii: "-"), as: UInt8.self)
            next += 1
        }
        var rest = value.magnitude
        var count = 1
        while rest >= 10 {  // the digits, counted first, then written from the last
            rest /= 10
            count += 1
        }
        rest = value.magnitude
        for i in stride(from: count - 1, through: 0, by: -1) {
            (next + i).storeBytes(of: UInt8(ascii: "0") + UInt8(rest % 10), as: UInt8.self)
            rest /= 10
        }
        return next + count
    }
}
