#!/usr/bin/env bash
# Removes what scripts/install.sh installed. Keeps /etc/agnod (your configuration), /var/lib/agnod (the
# run store) and the agnod user unless --purge.
#
#   scripts/uninstall.sh [--prefix /usr/local] [--purge]
set -euo pipefail
source "$(dirname "$0")/common.sh"

PREFIX=/usr/local PURGE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "run as root"

if [ -d /run/systemd/system ]; then
  systemctl disable --now agnod.socket agnod.service agnod-model.service >/dev/null 2>&1 || true
fi
rm -f /etc/systemd/system/agnod.socket /etc/systemd/system/agnod.service /etc/systemd/system/agnod-model.service
[ -d /run/systemd/system ] && systemctl daemon-reload
rm -f "$PREFIX/bin/agnod" "$PREFIX/bin/agnoctl" "$PREFIX/share/man/man1/agnoctl.1"
rm -f /usr/lib/systemd/catalog/agnod.catalog /usr/lib/sysusers.d/agnod.conf /usr/lib/tmpfiles.d/agnod.conf
command -v journalctl >/dev/null && journalctl --update-catalog 2>/dev/null || true
rm -f /usr/share/bash-completion/completions/agnoctl /usr/share/zsh/vendor-completions/_agnoctl /usr/share/fish/vendor_completions.d/agnoctl.fish
rm -rf "$PREFIX/share/doc/agnod"
if [ "$PURGE" = 1 ]; then
  rm -rf /etc/agnod /var/lib/agnod /var/cache/agnod /opt/agnod
  getent passwd agnod >/dev/null && userdel agnod
  getent group agnod-admin >/dev/null && groupdel agnod-admin
  log "removed agnod, its configuration, its run store and its user"
else
  log "removed agnod; kept /etc/agnod, /var/lib/agnod and the agnod user (--purge removes them)"
fi
