"""The settings a running device uses, and how they survive mistakes.

Layers: the main config file (`--config`), then a copy of the file a caregiver put on the
SD card's boot partition (imported at start when it is valid). Each good combination is
saved as `last-good.toml` in the state directory; a broken edit, at start or on SIGHUP,
keeps the last good settings running and says what is wrong. Nothing here is ever fatal
unless no good settings have ever existed.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, ConfigError, load_config, load_layers, to_toml

log = logging.getLogger(__name__)
BOOT_CONFIG = "/boot/firmware/voicecoach.toml"
LAST_GOOD = "last-good.toml"
PROVISIONED = "provisioned.toml"
# Keys a running device cannot change in place (devices, pins, models, threads): they wait for a restart.
RESTART_KEYS = ("audio.output_device", "audio.input_device", "voice.name", "voice.threads", "asr.engine",
                "asr.vosk_model", "button.pin", "button.hold_time", "light.pin", "cache.dir")


def state_dir() -> Path:
    for env in ("VOICECOACH_STATE_DIR", "STATE_DIRECTORY"):  # systemd sets STATE_DIRECTORY
        if os.environ.get(env):
            return Path(os.environ[env].split(":")[0])
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "voicecoach"


def boot_config_path() -> Path:
    return Path(os.environ.get("VOICECOACH_BOOT_CONFIG", BOOT_CONFIG))


@dataclass
class Loaded:
    config: Config
    problems: list[str] = field(default_factory=list)
    imported: bool = False


class Settings:
    def __init__(self, main: str | None, boot: Path | None = None, state: Path | None = None):
        self.main = main
        self.boot = boot if boot is not None else boot_config_path()
        self.state = state if state is not None else state_dir()
        self.current: Config | None = None

    @property
    def provisioned(self) -> Path:
        return self.state / PROVISIONED

    def load(self) -> Loaded:
        """The settings to use now. Raises ConfigError only if they are broken and nothing good was kept."""
        problems: list[str] = []
        imported = self._import_boot_file(problems)
        layers = [p for p in (self.main, self.provisioned if self.provisioned.is_file() else None) if p]
        try:
            config = load_layers(layers)
        except ConfigError as exc:
            config = self._last_good(exc)
            problems.append(f"{exc}; keeping the last good settings ({config.source})")
        else:
            self._keep(config)
        for problem in problems:
            log.warning("%s", problem)
        self.current = config
        return Loaded(config, problems, imported)

    def _import_boot_file(self, problems: list[str]) -> bool:
        """A valid file on the boot partition replaces the provisioned copy; a bad one is reported and ignored."""
        if not self.boot.is_file():
            return False
        try:
            load_config(self.boot)
            text = self.boot.read_text(encoding="utf-8")
        except (ConfigError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"{exc}; the file on the boot partition was ignored")
            return False
        if self.provisioned.is_file() and self.provisioned.read_text(encoding="utf-8") == text:
            return False
        _write_atomically(self.provisioned, text)
        log.info("imported settings from %s", self.boot)
        return True

    def _last_good(self, error: ConfigError) -> Config:
        if self.current is not None:
            return self.current
        saved = self.state / LAST_GOOD
        try:
            return load_config(saved)
        except ConfigError:
            raise error from None

    def _keep(self, config: Config) -> None:
        text = to_toml(config)
        saved = self.state / LAST_GOOD
        try:
            if not saved.is_file() or saved.read_text(encoding="utf-8") != text:
                _write_atomically(saved, text)
        except OSError as exc:
            log.warning("cannot save the last good settings in %s (%s)", self.state, exc)


def waiting_for_restart(old: Config, new: Config) -> list[str]:
    """The changed keys that only a restart applies."""
    changed = []
    for key in RESTART_KEYS:
        section, name = key.split(".")
        if getattr(getattr(old, section), name) != getattr(getattr(new, section), name):
            changed.append(key)
    return changed


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
