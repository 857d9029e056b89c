import NIOCore

extension ByteBuffer {
    /// Appends `{"id":…,"type":"event","seq":N,"event":<eventJSON>}\n`: the same bytes as
    /// `ReplyEncoder.event`, without an intermediate array or a String for the seq.
    public mutating func writeEventFrame(idPrefix: [UInt8], seq: Int, eventJSON: [UInt8]) {
        writeBytes(idPrefix)
        writeStaticString(#","type":"event","seq":"#)
        writeDecimal(seq)
        writeStaticString(#","event":"#)
        writeBytes(eventJSON)
        writeStaticString("}\n")
    }

    mutating func writeDecimal(_ value: Int) {
        if value < 0 {
            writeInteger(UInt8(ascii: "-"))
            writeDecimal(UInt(value.magnitude))
        } else {
            writeDecimal(UInt(value))
        }
    }

    private mutating func writeDecimal(_ value: UInt) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for any UInt
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[23 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            writeBytes(UnsafeRawBufferPointer(rebasing: raw[(24 - count)...]))
        }
    }
}
