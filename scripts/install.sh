#!/usr/bin/env bash
# Installs agnod as a system service: builds it (release, Swift runtime linked in), installs the binaries,
# the systemd units, the sysusers/tmpfiles entries, the journald catalog, shell completions, the default
# configuration and workflows under /etc/agnod (never overwriting a file the admin changed: the new one is
# put beside it as *.new), creates the agnod user and the agnod-admin group, and enables agnod.socket.
#
#   scripts/install.sh [--prefix /usr/local] [--binaries DIR] [--with-model] [--no-start]
#
#   --binaries DIR  install agnod and agnoctl from DIR instead of building them
#   --with-model    also install the embedded default model (llama.cpp server + SmolLM2) under
#                   /opt/agnod/model and enable agnod-model.service (the pip build takes minutes, once)
#   --no-start      install and enable, but do not start anything
# scripts/uninstall.sh undoes it.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PREFIX=/usr/local BINARIES="" WITH_MODEL=0 START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --binaries) BINARIES="$2"; shift 2 ;;
    --with-model) WITH_MODEL=1; shift ;;
    --no-start) START=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "run as root: it installs system units and creates users"

BINDIR="$PREFIX/bin"
UNITDIR=/etc/systemd/system
LIBDIR=/usr/lib
DOCDIR="$PREFIX/share/doc/agnod"

# 1. The binaries.
if [ -z "$BINARIES" ]; then
  ensure_swift
  # Headers, checked where they are (dpkg's database may be absent, e.g. in a container).
  pkg-config --exists libsystemd sqlite3 2>/dev/null || ensure_packages pkg-config libsystemd-dev libsqlite3-dev
  # The build goes beside the sources, or to /var/tmp when the source tree is read-only.
  SCRATCH="${AGNOD_BUILD_DIR:-$ROOT/.build-install}"
  if ! mkdir -p "$SCRATCH" 2>/dev/null || ! [ -w "$SCRATCH" ]; then SCRATCH=/var/tmp/agnod-build; mkdir -p "$SCRATCH"; fi
  log "building agnod and agnoctl in $SCRATCH (release, Swift runtime linked in; the first build takes minutes)"
  for product in agnod agnoctl; do
    swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --package-path "$ROOT" --product "$product" >&2 \
      || die "the build failed (see above)"
  done
  BINARIES="$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --package-path "$ROOT" --show-bin-path)"
fi
for b in agnod agnoctl; do [ -x "$BINARIES/$b" ] || die "$BINARIES/$b is missing: build first, or leave out --binaries"; done
log "installing agnod and agnoctl into $BINDIR"
install -d "$BINDIR"
install -m 0755 "$BINARIES/agnod" "$BINARIES/agnoctl" "$BINDIR/"

# 2. Users, directories, units, catalog.
install -D -m 0644 "$ROOT/systemd/sysusers.d/agnod.conf" "$LIBDIR/sysusers.d/agnod.conf"
install -D -m 0644 "$ROOT/systemd/tmpfiles.d/agnod.conf" "$LIBDIR/tmpfiles.d/agnod.conf"
if command -v systemd-sysusers >/dev/null; then
  systemd-sysusers "$LIBDIR/sysusers.d/agnod.conf"
else
  getent group agnod-admin >/dev/null || groupadd --system agnod-admin
  getent passwd agnod >/dev/null || useradd --system --home-dir /var/lib/agnod --shell /usr/sbin/nologin agnod
fi
command -v systemd-tmpfiles >/dev/null && systemd-tmpfiles --create "$LIBDIR/tmpfiles.d/agnod.conf"
install -d -m 0755 "$UNITDIR"
for unit in agnod.socket agnod.service agnod-model.service; do
  sed "s#/usr/local/bin/#$BINDIR/#g; s#/usr/local/share/doc/agnod#$DOCDIR#g" "$ROOT/systemd/$unit" > "$UNITDIR/$unit.tmp"
  chmod 0644 "$UNITDIR/$unit.tmp"
  mv "$UNITDIR/$unit.tmp" "$UNITDIR/$unit"
done
install -D -m 0644 "$ROOT/systemd/agnod.catalog" "$LIBDIR/systemd/catalog/agnod.catalog"
command -v journalctl >/dev/null && journalctl --update-catalog 2>/dev/null || true

# 3. Configuration and workflows: a file the admin changed is never overwritten.
install_config() {  # SRC DEST
  local src=$1 dest=$2
  if [ ! -e "$dest" ]; then
    install -D -m 0644 "$src" "$dest"
  elif ! cmp -s "$src" "$dest"; then
    install -m 0644 "$src" "$dest.new"
    log "kept your $dest; the shipped version is $dest.new"
  fi
}
install -d -m 0755 /etc/agnod /etc/agnod/workflows
install_config "$ROOT/systemd/agnod.yaml" /etc/agnod/agnod.yaml
for wf in "$ROOT"/systemd/workflows/*.yaml; do install_config "$wf" "/etc/agnod/workflows/$(basename "$wf")"; done

# 4. Shell completions and docs.
install -d /usr/share/bash-completion/completions /usr/share/zsh/vendor-completions /usr/share/fish/vendor_completions.d
"$BINDIR/agnoctl" --generate-completion-script bash > /usr/share/bash-completion/completions/agnoctl
"$BINDIR/agnoctl" --generate-completion-script zsh > /usr/share/zsh/vendor-completions/_agnoctl
"$BINDIR/agnoctl" --generate-completion-script fish > /usr/share/fish/vendor_completions.d/agnoctl.fish
install -d "$DOCDIR"
install -m 0644 "$ROOT/README.md" "$ROOT"/docs/*.md "$DOCDIR/"
if [ -f "$ROOT/docs/agnoctl.1" ]; then install -D -m 0644 "$ROOT/docs/agnoctl.1" "$PREFIX/share/man/man1/agnoctl.1"; fi

# 5. The embedded default model (optional).
if [ "$WITH_MODEL" = 1 ]; then
  log "installing the embedded default model under /opt/agnod/model"
  # Debian's python, so that the venv lives in /usr and /opt only (the service cannot read /root).
  AGNOD_CACHE=/opt/agnod/model PYTHON=/usr/bin/python3 "$ROOT/scripts/setup-model.sh" >/dev/null
  chmod -R a+rX /opt/agnod/model
fi

# 6. systemd: enable (and start) the socket; agnod starts on the first connection.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable agnod.socket agnod.service >/dev/null
  [ "$WITH_MODEL" = 1 ] && systemctl enable agnod-model.service >/dev/null
  if [ "$START" = 1 ]; then
    [ "$WITH_MODEL" = 1 ] && systemctl start agnod-model.service
    systemctl start agnod.socket
    log "started agnod.socket: 'agnoctl workflows' starts agnod; 'systemctl status agnod' shows it"
  fi
else
  log "systemd is not running here (PID 1 is not systemd): installed, but nothing was enabled or started"
fi
log "installed: $BINDIR/agnod, $BINDIR/agnoctl, $UNITDIR/agnod.{socket,service}, /etc/agnod/agnod.yaml"
