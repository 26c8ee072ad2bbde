"""Settings problems, told everywhere a caregiver might look: the log, the light, systemd's status, and
spoken once per distinct problem (remembered across restarts); and SIGHUP's reload of the settings."""
from __future__ import annotations

import hashlib
import logging

from ..events import Notice
from ..session import apply_config
from .settings import Loaded, Settings, waiting_for_restart

log = logging.getLogger(__name__)
NOTICE_SEEN = "notice-spoken.sha256"


class SettingsKeeper:
    def __init__(self, settings: Settings, started_with, light, watchdog, post):
        self.settings = settings
        self.started_with = started_with  # devices and pins stay as they were at start
        self.light = light
        self.watchdog = watchdog
        self.post = post  # puts an event in the coach's inbox

    def tell(self, problems: list[str]) -> None:
        self.light.set_fault("settings", "; ".join(problems))
        if not problems:
            return
        self.watchdog.status("settings problem: " + "; ".join(problems))
        digest = hashlib.sha256("\n".join(problems).encode()).hexdigest()
        seen = self.settings.state / NOTICE_SEEN
        try:
            if seen.is_file() and seen.read_text() == digest:
                return
            seen.parent.mkdir(parents=True, exist_ok=True)
            seen.write_text(digest)
        except OSError as exc:
            log.warning("cannot remember the spoken notice (%s)", exc)
        self.post(Notice("settings_problem"))

    def reload(self, session) -> Loaded:
        """SIGHUP: read the settings again; broken ones leave the running settings untouched."""
        old = session.coaching.config
        loaded = self.settings.load()
        self.tell(loaded.problems)
        if loaded.problems:
            return loaded
        apply_config(session, loaded.config)
        later = waiting_for_restart(self.started_with, loaded.config)
        log.info("settings reloaded from %s%s", loaded.config.source, " (unchanged)" if old == loaded.config else "")
        if later:
            log.warning("%s: these take effect after a restart", ", ".join(later))
        return loaded
