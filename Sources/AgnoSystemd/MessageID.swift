/// Fixed journald MESSAGE_IDs for agnod's lifecycle entries; systemd/agnod.catalog explains each.
/// `journalctl MESSAGE_ID=…` finds every such entry; never change a published one.
public enum MessageID: String, Sendable, CaseIterable {
    case runAccepted = "cf368c339cbe4c73aa04a43167c935b1"
    case runStarted = "0af222b17938462dbc8568c69cf0ca8e"
    case runCompleted = "30ac424d05fa4ea4bed4bdcbf5f0409b"
    case runCancelled = "cdf2bb28c3e7476d934502be2fbde0dd"
    case runFailed = "4c64e218c8124da38f6450547b8a37c8"
    case runInterrupted = "20ab105569e34cd1b03eaa547a242c70"
    case daemonReady = "cba15ac95fa64a15b9a3754d4f99f136"
    case daemonStopping = "55eac18e177749ad9b89085e294ea689"
    case daemonReloaded = "d3c90356b6464c6db48198dc970537e4"
    case runPaused = "fc2ab91157f742658e5500c76f8fa920"
    case runContinued = "c9b13b3743454cb29fa8c49d810e43b4"
    case runResumed = "1b4cb100690f436d91b5343523e2a085"
}
