"""Assembling the speaking half from config: voice, cache, renderer, practices and players."""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from .config import Config, default_cache_dir, voices_dir
from .night import Delivery, current_delivery, delivery_for
from .practices.player import Player
from .practices.schema import Practice, load_library
from .safety import crisis_values
from .speech.cache import PhraseCache
from .speech.render import Renderer
from .speech.tts import Voice, load_voice

log = logging.getLogger(__name__)


class UnknownPractice(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Coaching:
    """What the speaker needs to guide: the practices, a renderer, and how to deliver right now."""

    config: Config
    practices: dict[str, Practice]
    renderer: Renderer
    rng: random.Random
    night_override: bool | None = None

    def delivery(self) -> Delivery:
        if self.night_override is not None:
            return delivery_for(self.config, self.night_override)
        return current_delivery(self.config)

    def practice(self, name: str) -> Practice:
        if name not in self.practices:
            raise UnknownPractice(f"no practice named '{name}'; try one of: {', '.join(sorted(self.practices))}")
        return self.practices[name]

    def player(self, name: str, option: str = "any", delivery: Delivery | None = None,
               length: str = "short") -> Player:
        form = self.practice(name).form(length)
        script = form.script(option, self.rng, crisis_values(self.config.safety))
        return Player(name, script, self.renderer, delivery or self.delivery(), form)

    def paced_lines(self) -> list[tuple[str, float]]:
        """Every line the device may say, each with how much slower than the delivery (a fading form)."""
        values = crisis_values(self.config.safety)
        return sorted({pair for p in self.practices.values() for pair in p.paced_lines(values)})

    def button_practice(self) -> tuple[str, str, str]:
        """What a tap of the button starts now: (practice, option, length)."""
        if self.delivery().night and self.config.button.at_night == "bedside":
            return "soothing_touch", "any", "bedside"
        return "self_compassion_break", "any", "short"


def build_coaching(config: Config, out_rate: int | None = None, seed: int | None = None,
                   voice: Voice | None = None) -> Coaching:
    voice = voice or load_voice(config.voice.name, voices_dir(), config.voice.threads)
    cache = PhraseCache(default_cache_dir(config) / "phrases")
    renderer = Renderer(voice, cache, out_rate or voice.sample_rate)
    return Coaching(config, load_library(), renderer, random.Random(seed))
