#ifndef AGNOD_CSYSTEMD_SHIM_H
#define AGNOD_CSYSTEMD_SHIM_H
// libsystemd: sd_notify, sd_listen_fds_with_names, sd_watchdog_enabled, sd_journal_sendv.
// (sd_journal_send is C-variadic and cannot be called from Swift; sd_journal_sendv can.)
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif
