import Synchronization

/// Why a part of the tree was cancelled when the run itself was not: a timeout, or a sibling branch that
/// failed. The node that cancels fires it before cancelling its child tasks; the nodes below read it to
/// tell their ending apart from the run's cancel.
final class Interrupt: Sendable {
    enum Kind: Sendable {
        /// The nodes below fail with the message (a step's or the workflow's `timeout`).
        case timeout
        /// The nodes below are cancelled with the message (a Parallel branch failed).
        case siblingFailed
    }

    let kind: Kind
    private let message = Mutex<String?>(nil)

    init(_ kind: Kind) { self.kind = kind }

    /// Records why; the first reason wins. Returns whether this call fired it.
    @discardableResult
    func fire(_ reason: String) -> Bool {
        message.withLock { m in
            guard m == nil else { return false }
            m = reason
            return true
        }
    }

    var reason: String? { message.withLock { $0 } }
}
