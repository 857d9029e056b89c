import Foundation

/// A process's log, growing as it writes, with a wait for a line to appear.
final class LogBuffer: @unchecked Sendable {
    private let condition = NSCondition()
    private var data = Data()
    private var closed = false

    /// Appends what the pipe delivers until it closes.
    func follow(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                close()
            } else {
                append(data)
            }
        }
    }

    func append(_ more: Data) {
        condition.lock()
        data.append(more)
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    func wait(for needle: String, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !String(decoding: data, as: UTF8.self).contains(needle) {
            if closed || !condition.wait(until: deadline) { return String(decoding: data, as: UTF8.self).contains(needle) }
        }
        return true
    }
}
