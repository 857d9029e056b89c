import AgnoCore
import NIOCore

extension ByteBuffer {
    /// Appends `{"id":…,"type":"event","seq":N,"event":<eventJSON>}\n`: the same bytes as
    /// `ReplyEncoder.event`, without an intermediate array or a String for the seq. One reservation and plain
    /// copies per frame (a replay writes a million frames a second): each of ByteBuffer's own writes, and a
    /// captured cursor, would cost an exclusivity check through thread-local storage.
    public mutating func writeEventFrame(idPrefix: [UInt8], seq: Int, eventJSON: [UInt8]) {
        eventJSON.withUnsafeBytes { writeEventFrame(idPrefix: idPrefix, seq: seq, eventJSON: $0) }
    }

    /// The frames of a block's events, in order, from the block's own bytes, in one reservation.
    public mutating func writeEventFrames(idPrefix: [UInt8], _ block: EventBlock) {
        guard !block.isEmpty else { return }
        let most = block.json.count + block.count * (idPrefix.count + Self.frameOverhead)
        writeWithUnsafeMutableBytes(minimumWritableBytes: most) { out in
            let start = out.baseAddress!
            var at = start
            block.json.withUnsafeBytes { json in
                idPrefix.withUnsafeBytes { prefix in
                    for i in 0..<block.count {
                        at = Self.frame(
                            prefix, block.seqs[i], UnsafeRawBufferPointer(rebasing: json[block.start(of: i)..<block.ends[i]]), to: at)
                    }
                }
            }
            return at - start
        }
    }

    /// A frame's bytes besides the id prefix and the event: the type, the seq (at most 21 digits), the event's
    /// key, the closing brace and the newline.
    static let frameOverhead = typeSeq.utf8CodeUnitCount + 21 + event.utf8CodeUnitCount + 2

    public mutating func writeEventFrame(idPrefix: [UInt8], seq: Int, eventJSON: UnsafeRawBufferPointer) {
        let most = idPrefix.count + Self.frameOverhead + eventJSON.count
        writeWithUnsafeMutableBytes(minimumWritableBytes: most) { out in
            let start = out.baseAddress!
            return idPrefix.withUnsafeBytes { Self.frame($0, seq, eventJSON, to: start) } - start
        }
    }

    /// Writes one frame at `at` (room for it all); returns where it ended.
    private static func frame(
        _ idPrefix: UnsafeRawBufferPointer, _ seq: Int, _ eventJSON: UnsafeRawBufferPointer, to start: UnsafeMutableRawPointer
    ) -> UnsafeMutableRawPointer {
        var at = copy(idPrefix, to: start)
        at = copy(typeSeq, to: at)
        at = decimal(seq, to: at)
        at = copy(event, to: at)
        at = copy(eventJSON, to: at)
        at.storeBytes(of: UInt8(ascii: "}"), as: UInt8.self)
        (at + 1).storeBytes(of: UInt8(ascii: "\n"), as: UInt8.self)
        return at + 2
    }

    private static let typeSeq: StaticString = #","type":"event","seq":"#
    private static let event: StaticString = #","event":"#

    private static func copy(_ raw: UnsafeRawBufferPointer, to at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        if let base = raw.baseAddress { at.copyMemory(from: base, byteCount: raw.count) }
        return at + raw.count
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
