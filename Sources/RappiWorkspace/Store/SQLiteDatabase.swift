import CSQLite
import Foundation

/// A value bound to or read from a SQLite statement.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var int: Int? { if case .integer(let v) = self { return Int(v) }; return nil }
    public var double: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: return nil
        }
    }
    public var string: String? { if case .text(let v) = self { return v }; return nil }
}

public struct WorkspaceError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A thin, synchronous wrapper over one SQLite connection.
/// Writers use `BEGIN IMMEDIATE`, so two processes never interleave a read-then-insert
/// (e.g. allocating the next version number): the second waits on the busy timeout.
public final class SQLiteDatabase {
    private let handle: OpaquePointer
    public let path: String

    public init(path: String, busyTimeoutMilliseconds: Int32 = 15_000) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw WorkspaceError("cannot open workspace database \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit { sqlite3_close_v2(handle) }

    public func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &errorMessage) != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastError
            sqlite3_free(errorMessage)
            throw WorkspaceError("database error: \(message)")
        }
    }

    /// Runs a statement that returns rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql, parameters)
        defer { sqlite3_finalize(statement) }
        var rows: [[SQLValue]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw WorkspaceError("database error: \(lastError) (in: \(sql))") }
            let count = sqlite3_column_count(statement)
            rows.append((0..<count).map { column(statement, $0) })
        }
        return rows
    }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLValue] = []) throws -> Int {
        try query(sql, parameters)
        return Int(sqlite3_changes(handle))
    }

    /// Runs one statement for each row of parameters, prepared once (call inside a transaction).
    public func runEach(_ sql: String, _ rows: [[SQLValue]]) throws {
        guard let first = rows.first else { return }
        let statement = try prepare(sql, first)
        defer { sqlite3_finalize(statement) }
        for (index, row) in rows.enumerated() {
            if index > 0 {
                sqlite3_reset(statement)
                bind(statement, row)
            }
            guard sqlite3_step(statement) == SQLITE_DONE else { throw WorkspaceError("database error: \(lastError) (in: \(sql))") }
        }
    }

    public var lastInsertedRowID: Int { Int(sqlite3_last_insert_rowid(handle)) }

    public func scalar(_ sql: String, _ parameters: [SQLValue] = []) throws -> SQLValue {
        try query(sql, parameters).first?.first ?? .null
    }

    /// Retries `body` for up to `seconds` while SQLite reports the database locked or busy.
    public func retryingWhileLocked(seconds: Double = 15, _ body: () throws -> Void) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do { return try body() } catch let error as WorkspaceError
                where (error.message.contains("locked") || error.message.contains("busy")) && Date() < deadline {
                usleep(20_000)
            }
        }
    }

    /// Runs `body` in a write transaction; rolls back if it throws.
    public func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a write transaction, or as part of the one this connection is already in.
    public func joiningWriteTransaction<T>(_ body: () throws -> T) throws -> T {
        if sqlite3_get_autocommit(handle) == 0 { return try body() }
        return try writeTransaction(body)
    }

    private var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    private func prepare(_ sql: String, _ parameters: [SQLValue]) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw WorkspaceError("database error: \(lastError) (in: \(sql))")
        }
        bind(statement, parameters)
        return statement
    }

    private func bind(_ statement: OpaquePointer, _ parameters: [SQLValue]) {
        for (index, value) in parameters.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, position)
            case .integer(let v): sqlite3_bind_int64(statement, position, v)
            case .real(let v): sqlite3_bind_double(statement, position, v)
            case .text(let v): sqlite3_bind_text(statement, position, v, -1, sqliteTransient)
            }
        }
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_NULL: return .null
        default:
            guard let text = sqlite3_column_text(statement, index) else { return .null }
            return .text(String(cString: text))
        }
    }
}

/// SQLite's SQLITE_TRANSIENT: asks SQLite to copy bound text before the call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension SQLValue {
    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}
