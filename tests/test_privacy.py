"""Privacy: `run` records nothing to disk and opens no network socket; spoken text is not logged at INFO.

The audit watches a real `run --fake` (ALSA's file plugin as the sound card) through /proc while a
practice plays: every descriptor it opens, whether it writes, and the kind of every socket. Then
it searches every file left behind for the microphone's own samples.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from test_alsa_playback import alsa_home

NETWORK_TABLES = ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "udplite", "udplite6")


def socket_inodes(pid: int, table: str) -> set[str]:
    try:
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
    except OSError:
        return set()
    column = -1 if table == "unix" else 9
    return {line.split()[column] for line in lines if len(line.split()) > abs(column)}


def open_descriptors(pid: int) -> dict[str, bool]:
    """target -> opened for writing, for every descriptor the process has now."""
    found = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            flags = int(Path(f"/proc/{pid}/fdinfo/{fd}").read_text().split("flags:")[1].split()[0], 8)
        except (OSError, IndexError):
            continue
        found[target] = found.get(target, False) or bool(flags & (os.O_WRONLY | os.O_RDWR))
    return found


def network_sockets(pid: int) -> set[str]:
    mine = {t[8:-1] for t in open_descriptors(pid) if t.startswith("socket:[")}
    return mine & set().union(*(socket_inodes(pid, t) for t in NETWORK_TABLES))


def test_the_audit_sees_a_listening_socket():
    """The check used below can fail: a process with a TCP socket is caught."""
    proc = subprocess.Popen([sys.executable, "-c", "import socket, time; s = socket.create_server(('127.0.0.1', 0)); "
                             "print(1, flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()
        assert network_sockets(proc.pid)
    finally:
        proc.kill()
        proc.wait()


def test_run_records_nothing_and_opens_no_network_socket(tmp_path):
    mic = np.random.default_rng(7).integers(-20000, 20000, 16000 * 2).astype(np.int16)  # unmistakable
    home = alsa_home(tmp_path, mic)
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "VOICECOACH_CACHE_DIR": str(tmp_path / "cache"),
           "VOICECOACH_STATE_DIR": str(tmp_path / "state"), "VOICECOACH_LOG": "info",
           "VOICECOACH_BOOT_CONFIG": str(tmp_path / "none.toml")}
    proc = subprocess.Popen([sys.executable, "-m", "voicecoach", "run", "--fake"], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    seen: dict[str, bool] = {}
    try:
        deadline = time.monotonic() + 60
        pressed = False
        while time.monotonic() < deadline:
            for target, writing in open_descriptors(proc.pid).items():
                seen[target] = seen.get(target, False) or writing
            assert not network_sockets(proc.pid), "run opened a network socket"
            if not pressed and any("/dev/snd" in t or "out.raw" in t for t in seen):
                time.sleep(1.0)
                proc.stdin.write("\n")  # the button: a practice plays while we watch
                proc.stdin.flush()
                pressed, deadline = True, time.monotonic() + 6
            time.sleep(0.05)
        assert pressed, "run never opened the sound card"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, log = proc.communicate(timeout=10)
    assert proc.returncode == 0, log
    assert "practice_started" in log and "text=" not in log  # what was said is never logged at INFO

    written = {t for t, w in seen.items() if w and t.startswith("/")}
    allowed = (str(tmp_path / "out.raw"), str(tmp_path / "cache"), str(tmp_path / "state"), "/dev/null",
               "/dev/pts", "/dev/snd")
    # Memory, not disk: "/tmp/#123 (deleted)" is an O_TMPFILE libffi maps for cffi's audio callbacks;
    # memfds and /dev/shm are what ALSA's pulse and jack plugins share when PortAudio probes them.
    in_memory = {t for t in written if t.startswith(("/memfd:", "/dev/shm/"))
                 or (t.startswith("/tmp/#") and t.endswith("(deleted)"))}
    assert all(t.startswith(allowed) for t in written - in_memory), sorted(written)
    assert not (home / ".cache").exists(), "a library kept files in the home folder (onnxruntime telemetry?)"

    needle = mic[4000:4032].tobytes()  # 64 bytes of what the microphone heard
    shared = [Path(t) for t in in_memory if t.startswith("/dev/shm/")]
    for path in [*tmp_path.rglob("*"), *shared]:
        if path.is_file() and path.name != "in.raw":
            assert needle not in path.read_bytes(), f"microphone audio found in {path}"
