/// One step of the PostgreSQL schema: statements run in order, in the transaction that records its name.
struct PostgresMigration: Sendable {
    let name: String
    let statements: [String]
}
