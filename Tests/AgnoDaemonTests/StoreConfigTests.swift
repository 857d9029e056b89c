import AgnoCore
import AgnoPostgres
import Foundation
import Testing

@testable import AgnoDaemon

/// `store:` in agnod.yaml: SQLite by default, or a shared PostgreSQL whose password comes from a systemd
/// credential or the environment, never the file; every mistake is named with its line.
@Suite struct StoreConfigTests {
    @Test func aSharedPostgreSQLStoreIsRead() throws {
        let config = try DaemonConfigParser.parse(
            text: """
                socket: /run/agnod/agnod.sock
                store:
                  backend: postgres
                  url: postgres://agnod@db.example:6543/agnod_runs
                  password_credential: agnod-db
                  host_id: web-1
                  lease: 15s
                """, file: "agnod.yaml")
        let pg = try #require(config.postgres)
        #expect(pg.host == "db.example" && pg.port == 6543 && pg.username == "agnod" && pg.database == "agnod_runs")
        #expect(pg.hostID == "web-1")
        #expect(pg.lease == .seconds(15))
        #expect(pg.password == nil)
        #expect(config.storePassword == SecretSource(credential: "agnod-db"))
        #expect(try DaemonConfigParser.parse(text: "socket: /a.sock\n", file: "a.yaml").postgres == nil)
    }

    @Test func theSQLiteStoresPageCacheIsSetInMegabytes() throws {
        #expect(try DaemonConfigParser.parse(text: "socket: /a.sock\n", file: "a.yaml").pageCacheMB == 64)
        #expect(try DaemonConfigParser.parse(text: "store:\n  page_cache_mb: 0\n", file: "a.yaml").pageCacheMB == 0)
        #expect(try DaemonConfigParser.parse(text: "store:\n  page_cache_mb: 512\n", file: "a.yaml").pageCacheMB == 512)
        #expect(error("store:\n  page_cache_mb: -1\n")?.line == 2)
        #expect(error("store:\n  page_cache_mb: 100000\n")?.reason.contains("at most 65536") == true)
        #expect(error("store:\n  page_cache_mb: lots\n")?.line == 2)
        #expect(error("store:\n  page_cahce_mb: 8\n")?.reason.contains("did you mean 'page_cache_mb'") == true)
    }

    @Test func mistakesAreNamedWithTheirLine() {
        let typo = error("store:\n  backend: postgres\n  url: postgres://a@h/d\n  pasword_env: PW\n")
        #expect(typo?.line == 4 && typo?.reason.contains("did you mean 'password_env'") == true)
        let noURL = error("store:\n  backend: postgres\n")
        #expect(noURL?.line == 2 && noURL?.reason.contains("needs 'store.url'") == true)
        let secret = error("store:\n  backend: postgres\n  url: postgres://a:hunter2@h/d\n")
        #expect(secret?.line == 3 && secret?.reason.contains("must not hold a password") == true)
        #expect(secret?.description.contains("hunter2") == false)
        #expect(error("store:\n  backend: mysql\n")?.reason.contains("sqlite or postgres") == true)
        #expect(error("store:\n  url: postgres://a@h/d\n")?.reason.contains("backend: postgres") == true)
        #expect(error("store:\n  backend: postgres\n  url: http://h/d\n")?.line == 3)
        #expect(error("store:\n  backend: postgres\n  url: postgres://a@h/d\n  lease: 0.5s\n")?.line == 4)
        #expect(error("store:\n  backend: postgres\n  url: postgres://a@h/d\n  host_id: 'a b'\n")?.line == 4)
    }

    @Test func thePasswordComesFromACredentialFileOrTheEnvironmentAndAMissingOneIsNamed() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cred-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "s3cret\n".write(to: dir.appendingPathComponent("agnod-db"), atomically: true, encoding: .utf8)
        let credential = SecretSource(credential: "agnod-db")
        #expect(try credential.read("the store's password", environment: ["CREDENTIALS_DIRECTORY": dir.path]) == "s3cret")
        #expect(throws: SecretError.self) { try credential.read("the store's password", environment: [:]) }
        #expect(throws: SecretError.self) {
            try SecretSource(credential: "other").read("x", environment: ["CREDENTIALS_DIRECTORY": dir.path])
        }
        #expect(try SecretSource(environment: "PW").read("x", environment: ["PW": "p"]) == "p")
        let missing = #expect(throws: SecretError.self) { try SecretSource(environment: "PW").read("x", environment: [:]) }
        #expect(missing?.description.contains("PW") == true)
        #expect(try SecretSource().read("x", environment: [:]) == nil)
    }
}
