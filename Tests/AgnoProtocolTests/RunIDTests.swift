import AgnoProtocol
import Foundation
import Testing

@Suite struct RunIDTests {
    @Test func madeIdsAreLowercaseVersion4UUIDsAndDistinct() throws {
        var seen = Set<String>()
        var versionNibbles = Set<Character>()
        for _ in 0..<10_000 {
            let id = RunID.make()
            #expect(id.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil, "\(id)")
            let parsed = try #require(UUID(uuidString: id))
            #expect(parsed.uuidString.lowercased() == id)
            #expect(RunID.isValid(id))
            seen.insert(id)
            versionNibbles.insert(id[id.index(id.startIndex, offsetBy: 19)])
        }
        #expect(seen.count == 10_000)
        #expect(versionNibbles == ["8", "9", "a", "b"])  // the variant's two free bits both vary
    }
}
