"""`run` as systemd runs it, on real PortAudio streams (ALSA's file plugin): READY and WATCHDOG on the
notify socket, a bad boot file reported and spoken once, SIGHUP reloads, SIGINT and SIGTERM exit fast."""
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from test_alsa_playback import alsa_home


class Service:
    def __init__(self, tmp_path, config: str, boot: str | None = None):
        self.tmp = tmp_path
        self.home = tmp_path / "home" if (tmp_path / "home").exists() else alsa_home(tmp_path)
        self.config = tmp_path / "voicecoach.toml"
        self.config.write_text(config)
        self.boot = tmp_path / "boot.toml"
        if boot is not None:
            self.boot.write_text(boot)
        self.sock_path = tmp_path / f"notify-{time.monotonic_ns()}.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(self.sock_path))
        self.sock.settimeout(0.05)
        self.messages: list[str] = []
        self.lines: list[str] = []

    def start(self):
        env = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", "VOICECOACH_CACHE_DIR": str(self.home / "cache"),
               "VOICECOACH_LOG": "info", "NOTIFY_SOCKET": str(self.sock_path), "WATCHDOG_USEC": "1000000",
               "VOICECOACH_BOOT_CONFIG": str(self.boot), "VOICECOACH_STATE_DIR": str(self.tmp / "state")}
        self.proc = subprocess.Popen([sys.executable, "-m", "voicecoach", "--config", str(self.config), "run",
                                      "--fake"], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        threading.Thread(target=lambda: self.lines.extend(iter(self.proc.stderr.readline, "")), daemon=True).start()
        return self

    def pump(self):
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except (TimeoutError, socket.timeout, BlockingIOError):
                break

    def wait_for(self, what: str, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if any(what in m for m in self.messages) or any(what in line for line in self.lines):
                return True
            if self.proc.poll() is not None:
                time.sleep(0.2)
                return any(what in line for line in self.lines)
        return False

    def stop(self, sig=signal.SIGTERM) -> tuple[int, float]:
        sent = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=5)
        took = time.monotonic() - sent
        time.sleep(0.1)
        self.pump()
        return code, took

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.sock.close()


@pytest.fixture
def service(tmp_path):
    made = []

    def make(config, boot=None):
        made.append(Service(tmp_path, config, boot).start())
        return made[-1]

    yield make
    for s in made:
        s.close()


def test_ready_then_watchdog_while_audio_flows_and_sigint_exits_fast(service):
    svc = service("[audio]\nvolume = 0.5\n")
    assert svc.wait_for("READY=1"), svc.lines
    time.sleep(1.6)
    svc.pump()
    assert sum(m == "WATCHDOG=1" for m in svc.messages) >= 2  # every half of the 1 s watchdog period
    assert any(m.startswith("STATUS=listening; 0 audio faults recovered") for m in svc.messages), svc.messages
    code, took = svc.stop(signal.SIGINT)
    assert code == 0 and took < 1.0, (code, took)
    assert "STOPPING=1" in svc.messages
    assert not any("Traceback" in line for line in svc.lines)


def test_a_bad_boot_file_is_reported_spoken_once_and_ignored(service, tmp_path):
    svc = service("[audio]\nvolume = 0.5\n", boot="[night]\nstart = 9pm\n")
    assert svc.wait_for("practice_started {'practice': 'settings_problem'"), svc.lines
    assert any("boot partition was ignored" in line for line in svc.lines)
    assert any(m.startswith("READY=1") for m in svc.messages)
    assert any("STATUS=settings problem" in m for m in svc.messages)
    assert svc.stop()[0] == 0
    again = service("[audio]\nvolume = 0.5\n", boot="[night]\nstart = 9pm\n")
    assert again.wait_for("listening")
    time.sleep(1.0)
    again.pump()
    assert not any("settings_problem" in line for line in again.lines)  # spoken once, not at every start
    assert again.stop()[0] == 0


def test_sighup_keeps_the_last_good_settings_then_applies_a_fixed_file(service):
    svc = service("[audio]\nvolume = 0.5\n")
    assert svc.wait_for("listening")
    svc.config.write_text("[audio]\nvolume = loud\n")
    svc.proc.send_signal(signal.SIGHUP)
    assert svc.wait_for("keeping the last good settings"), svc.lines
    assert svc.wait_for("practice_finished {'practice': 'settings_problem'"), svc.lines  # said once
    assert svc.proc.poll() is None
    svc.config.write_text('[audio]\nvolume = 0.9\noutput_device = "USB"\n[button]\nat_night = "break"\n')
    svc.proc.send_signal(signal.SIGHUP)
    assert svc.wait_for("settings reloaded"), svc.lines
    assert svc.wait_for("audio.output_device: these take effect after a restart")
    svc.proc.stdin.write("\n")
    svc.proc.stdin.flush()
    assert svc.wait_for("practice_started {'practice': 'self_compassion_break'"), svc.lines
    code, took = svc.stop()
    assert code == 0 and took < 1.0


def test_a_broken_config_at_start_runs_on_the_last_good_one_or_exits_2_if_there_is_none(service, tmp_path):
    from conftest import run_cli

    broken = run_cli("--config", str(tmp_path / "x.toml"), "run", "--fake",
                     env={"VOICECOACH_STATE_DIR": str(tmp_path / "empty-state")})
    assert broken.returncode == 2 and "no such config file" in broken.stderr and "Traceback" not in broken.stderr
    first = service("[audio]\nvolume = 0.5\n")
    assert first.wait_for("listening")
    assert first.stop()[0] == 0
    first.config.write_text("[audio]\nvolume = 2.0\n")
    second = service(first.config.read_text())
    assert second.wait_for("listening"), second.lines
    assert any("keeping the last good settings" in line for line in second.lines)
    assert second.stop()[0] == 0
