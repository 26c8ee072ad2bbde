"""The systemd unit and the install script: verified with systemd-analyze, and holding what a device needs."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "systemd" / "voicecoach.service"
INSTALL = ROOT / "systemd" / "install.sh"


def directives(section: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            current = line.strip("[]")
        elif line and not line.startswith("#") and current == section:
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def rendered_unit(tmp_path: Path) -> Path:
    """The unit as install.sh writes it for a prefix, with that prefix's voicecoach in place."""
    prefix = tmp_path / "prefix"
    (prefix / ".venv" / "bin").mkdir(parents=True)
    os.symlink(shutil.which("voicecoach") or Path(sys.executable).parent / "voicecoach",
               prefix / ".venv" / "bin" / "voicecoach")
    unit = tmp_path / "voicecoach.service"
    unit.write_text(UNIT.read_text().replace("/opt/voicecoach", str(prefix)))
    return unit


def test_systemd_analyze_verify_finds_nothing_wrong(tmp_path):
    result = subprocess.run(["systemd-analyze", "verify", str(rendered_unit(tmp_path))], capture_output=True,
                            text=True)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_systemd_analyze_catches_a_broken_unit(tmp_path):
    """The check above can fail: a misspelt key in the same unit is reported."""
    unit = rendered_unit(tmp_path)
    unit.write_text(unit.read_text().replace("WatchdogSec=", "WatchdogSecs="))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True)
    assert "WatchdogSecs" in result.stderr


def test_the_unit_restarts_forever_watches_audio_and_keeps_alsa_and_gpio():
    unit, service = directives("Unit"), directives("Service")
    assert unit["StartLimitIntervalSec"] == ["0"]
    assert service["Type"] == ["notify"] and service["Restart"] == ["always"]
    assert int(service["WatchdogSec"][0]) > 0
    assert service["SupplementaryGroups"] == ["audio gpio"]
    assert set(service["DeviceAllow"]) == {"char-alsa rw", "char-gpiochip rw"}
    assert service["DevicePolicy"] == ["closed"] and "PrivateDevices" not in service
    for key, value in (("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                       ("NoNewPrivileges", "yes"), ("IPAddressDeny", "any")):
        assert service[key] == [value], key
    env = dict(e.split("=", 1) for e in service["Environment"])
    assert env["LG_WD"] == "/run/" + service["RuntimeDirectory"][0]
    assert service["WorkingDirectory"] == [env["LG_WD"]]
    assert env["VOICECOACH_STATE_DIR"] == "/var/lib/" + service["StateDirectory"][0]
    assert env["VOICECOACH_CACHE_DIR"] == "/var/cache/" + service["CacheDirectory"][0]
    assert "--config /etc/voicecoach/voicecoach.toml run" in service["ExecStart"][0]


def test_the_install_script_parses_and_refuses_unknown_options():
    assert subprocess.run(["bash", "-n", str(INSTALL)]).returncode == 0
    bad = subprocess.run(["bash", str(INSTALL), "--frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown option --frobnicate" in bad.stderr
    assert os.access(INSTALL, os.X_OK)
