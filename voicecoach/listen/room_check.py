"""`voicecoach doctor --listen`: how the room sounds to the device, and whether it hears "I need a break" there.

For a caregiver setting a device up: it listens to the room for a few seconds through the real microphone
stream and says in plain words how loud the background is and what kind (quiet, steady noise, talk), then
asks the person, aloud, to say "I need a break", and reports whether the listening pipeline heard it (the
same front end, detector and checks the device runs), how far the voice stood above the room, and whether
the microphone sends the whole voice or only a telephone's share of it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .endpoint import BLOCK, RATE, block_level

PHRASE = "i need a break"
PROMPT = "Let's check that I can hear you. Please say: I need a break."
QUIET_DB = -55.0   # a background below this is a quiet room
LOUD_DB = -35.0    # above this the background may drown a soft voice
TALK_SHARE = 0.15  # talk in more of the room's time than this is worth mentioning
CLEAR_DB = 15.0    # a voice this far above the room is heard clearly
VOICE_BAND_HZ = (300, 3400)   # where a voice is loudest: a telephone passes this much
UPPER_BAND_HZ = (4300, 7500)  # what a microphone made for 16 kHz passes besides (a voice's s, f, t and k)
NARROW_DB = -60.0  # the upper band this far under the voice band: nothing reaches it, not even a hiss. Our
#                    voices put -12 to -32 dB there through a 16 kHz microphone, -78 to -83 dB through 8 kHz


@dataclass(frozen=True)
class RoomSound:
    level_db: float     # the background's typical level (dBFS)
    spread_db: float    # how much it moves: small for a fan, large for talk
    talk_share: float   # the share of time that sounded like speech

    def kind(self) -> str:
        if self.level_db < QUIET_DB and self.talk_share < TALK_SHARE:
            return "quiet"
        return "talk" if self.talk_share >= TALK_SHARE else "steady noise"

    def describe(self) -> str:
        loud = "loud" if self.level_db > LOUD_DB else "soft" if self.level_db < QUIET_DB else "moderate"
        if self.kind() == "quiet":
            return f"the room is quiet (background around {self.level_db:.0f} dBFS)"
        if self.kind() == "talk":
            return (f"there is talk, a radio or a TV in about {self.talk_share:.0%} of the time "
                    f"({loud}, around {self.level_db:.0f} dBFS)")
        return f"there is steady {loud} noise, like a fan or an air purifier (around {self.level_db:.0f} dBFS)"


def describe_room(blocks: list[np.ndarray], speech_probability: list[float]) -> RoomSound:
    levels = np.array([block_level(b) for b in blocks]) if blocks else np.array([-140.0])
    floor = float(np.percentile(levels, 10))
    talk = [p >= 0.5 and lv > floor + 6 for p, lv in zip(speech_probability, levels)]
    return RoomSound(float(np.median(levels)), float(np.percentile(levels, 90) - floor),
                     float(np.mean(talk)) if talk else 0.0)


@dataclass(frozen=True)
class HearingResult:
    heard: bool
    voice_above_room_db: float  # the loudest stretch of the attempt against the room's typical level
    seconds: float              # from the end of the prompt to the phrase being heard (or the attempt's length)
    upper_band_db: float | None = None  # the voice's sound above 4.3 kHz against its voice band (None: no voice)

    def describe(self) -> str:
        if not self.heard:
            if self.voice_above_room_db < 6:
                return "did not hear \"I need a break\": nothing louder than the room reached the microphone"
            return (f"did not hear \"I need a break\" (the loudest sound was {self.voice_above_room_db:.0f} dB "
                    "above the room)")
        how = "clearly" if self.voice_above_room_db >= CLEAR_DB else "but only just"
        return (f"heard \"I need a break\" {how}: the voice was {self.voice_above_room_db:.0f} dB above the room, "
                f"{self.seconds:.1f} s after the prompt ended")


class BlockSource:
    """Blocks from a microphone inbox, with the time they take to arrive bounded."""

    def __init__(self, inbox):
        self.inbox = inbox

    def take(self, seconds: float) -> list[np.ndarray]:
        return [block for block, _ in self.take_pairs(seconds)]

    def take_pairs(self, seconds: float) -> list[tuple]:
        """Blocks with what the speaker played as each was captured (None without a reference)."""
        wanted = int(seconds * RATE / BLOCK)
        pairs: list[tuple] = []
        deadline = time.monotonic() + seconds + 3.0
        while len(pairs) < wanted and time.monotonic() < deadline:
            item = self.inbox.get(0.2)
            if item and item[0] == "block":
                pairs.append((item[1], item[2]))
        return pairs


def listen_for_phrase(spotter, source: BlockSource, seconds: float, room_db: float) -> HearingResult:
    """Feed the spotter in idle until it hears the phrase or `seconds` of sound have passed."""
    spotter.set_mode("idle")
    voice: list[np.ndarray] = []  # blocks that stood well above the room
    loudest, fed = -140.0, 0
    for _ in range(int(seconds / 0.2)):
        for block in source.take(0.2):
            fed += 1
            level = block_level(block)
            loudest = max(loudest, level)
            if level >= room_db + CLEAR_DB:
                voice.append(block)
            if any(h.text == PHRASE for h in spotter.feed(block)):
                return HearingResult(True, loudest - room_db, fed * BLOCK / RATE, upper_band_db(voice))
    return HearingResult(False, loudest - room_db, fed * BLOCK / RATE, upper_band_db(voice))


def upper_band_db(blocks: list[np.ndarray]) -> float | None:
    """How much of the sound lies above 4.3 kHz, against its voice band (dB). Through a microphone made for
    16 kHz a voice always puts something there, and the microphone its own hiss; a Bluetooth headset's
    microphone or a phone line sends nothing above 4 kHz, and PocketSphinx, whose model learnt the whole
    band, mishears many more words (docs/PERFORMANCE.md, "flite's kal voice is 8 kHz")."""
    if not blocks:
        return None
    frames = np.stack([np.asarray(b, dtype=np.float64) for b in blocks])
    power = np.abs(np.fft.rfft(frames * np.hanning(frames.shape[1]), axis=1)) ** 2
    freqs = np.fft.rfftfreq(frames.shape[1], 1 / RATE)
    voice, upper = (power[:, (freqs >= lo) & (freqs <= hi)].sum() for lo, hi in (VOICE_BAND_HZ, UPPER_BAND_HZ))
    if voice <= 0:
        return None
    return 10 * np.log10(max(upper, voice * 1e-15) / voice)


def microphone_band(upper_db: float | None) -> tuple[bool, str]:
    """Is the microphone sending the whole voice, in words for a caregiver?"""
    if upper_db is None:
        return True, "no voice was loud enough to judge the microphone's sound"
    if upper_db < NARROW_DB:
        return False, ("the microphone sends nothing above 4 kHz, like a telephone or a Bluetooth headset: "
                       "the device will mishear many more words")
    return True, "the microphone sends the whole voice, up to 7.5 kHz"
