import AgnoProtocol
import Testing

@Suite struct LineFramerTests {
    @Test func splitsLinesAcrossChunksAndSkipsEmptyOnes() throws {
        var framer = LineFramer(maxLineLength: 100)
        framer.append(Array("{\"a\":1}\n\n  \n{\"b\"".utf8))
        #expect(try framer.next() == Array("{\"a\":1}".utf8))
        #expect(try framer.next() == nil)
        framer.append(Array(":2}\r\n".utf8))
        #expect(try framer.next() == Array("{\"b\":2}".utf8))
        #expect(try framer.next() == nil)
    }

    @Test func aLineOverTheLimitIsRefusedEvenBeforeItsNewline() {
        var framer = LineFramer(maxLineLength: 10)
        framer.append(Array(repeating: UInt8(ascii: "x"), count: 11))
        #expect(throws: LineFramer.LineTooLong.self) { try framer.next() }
    }

    @Test func aLineAtTheLimitIsAccepted() throws {
        var framer = LineFramer(maxLineLength: 10)
        framer.append(Array(repeating: UInt8(ascii: "x"), count: 10) + [10])
        #expect(try framer.next()?.count == 10)
    }

    @Test func manyLinesInOneChunkComeOutInOrder() throws {
        var framer = LineFramer()
        framer.append((0..<1000).flatMap { Array("\($0)\n".utf8) })
        var seen: [Int] = []
        while let line = try framer.next() { seen.append(Int(String(decoding: line, as: UTF8.self))!) }
        #expect(seen == Array(0..<1000))
    }
}
