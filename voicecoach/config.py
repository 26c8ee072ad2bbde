"""Configuration: a TOML file read into frozen dataclasses.

Every section is a dataclass whose fields carry their own documentation and
allowed values in `metadata`, so validation and the config reference come
from one place. Every error names the file, the key and what is allowed.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .listen.frontend import KINDS as FRONT_ENDS

CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(ValueError):
    """A config file that cannot be used; the message says where and why."""


def _opt(default, doc, *, lo=None, hi=None, choices=None, clock=False):
    meta = {"doc": doc, "lo": lo, "hi": hi, "choices": choices, "clock": clock}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class AudioConfig:
    volume: float = _opt(0.8, "Loudness of speech by day", lo=0.0, hi=1.0)
    output_device: str = _opt("", "Output device name or index; empty = system default")
    input_device: str = _opt("", "Input device name or index; empty = system default")
    earcon_volume: float = _opt(0.5, "Loudness of chimes relative to speech", lo=0.0, hi=1.0)


@dataclass(frozen=True)
class VoiceConfig:
    name: str = _opt("default", "'default' (the joe voice shipped on PyPI) or a voice file name in voices/")
    length_scale: float = _opt(1.1, "Speaking pace; larger is slower", lo=0.5, hi=2.0)
    threads: int = _opt(1, "CPU threads for speech synthesis", lo=1, hi=4)


@dataclass(frozen=True)
class NightConfig:
    start: str = _opt("21:00", "Night mode begins (HH:MM)", clock=True)
    end: str = _opt("07:00", "Night mode ends (HH:MM)", clock=True)
    always: bool = _opt(False, "Force night mode at every hour")
    volume_ratio: float = _opt(0.6, "Night loudness as a share of day loudness", lo=0.1, hi=0.7)
    slowdown: float = _opt(1.25, "How much slower speech is at night", lo=1.15, hi=1.6)
    pause_ratio: float = _opt(1.4, "How much longer pauses are at night", lo=1.0, hi=2.5)


@dataclass(frozen=True)
class AsrConfig:
    engine: str = _opt("auto", "Speech recognizer", choices=["auto", "vosk", "pocketsphinx"])
    wake_phrases: list = _opt(["hey coach"], "Phrases that wake the device")
    end_silence: float = _opt(0.4, "Silence that ends a request after a wake (s)", lo=0.2, hi=2.0)
    spot_silence: float = _opt(0.3, "Silence that ends a spotted phrase (s)", lo=0.15, hi=1.0)
    max_request: float = _opt(6.0, "Longest request after a wake (s)", lo=2.0, hi=15.0)
    front_end: str = _opt("webrtc-auto", "The microphone's sound before listening: webrtc-auto (as it is, with "
                          "WebRTC's voice detector; cleaned and levelled while the room holds steady noise such as "
                          "a fan), webrtc-vad (always as it is), webrtc (always cleaned), webrtc-ns-gain, speex, none",
                          choices=list(FRONT_ENDS))
    continuous: bool = _opt(True, "Find the wake and direct phrases in continuous sound (a TV talking on), "
                            "not only between silences")
    wake_detector: str = _opt("sphinx", "The first pass that finds the wake phrase in continuous sound, before "
                              "the second check: sphinx (PocketSphinx's keyphrase search) or network (our small "
                              "network on openWakeWord's features as well, while anyone talks: it hears the wake "
                              "under other talk, but read text woke it 7 times in 39 minutes, so it is not for a "
                              "bedside yet; docs/PERFORMANCE.md)",
                              choices=["sphinx", "network"])
    echo_cancel: bool = _opt(True, "Take the device's own voice out of what the microphone hears (WebRTC's "
                             "echo canceller, with what the speaker played as the reference)")
    duck: bool = _opt(True, "While the device speaks, a person's voice coming through the echo cancellation makes "
                      "it speak much softer at once, until they have been quiet a moment: the rest of what they "
                      "say (stop, slower, ...) is heard over far less of its voice (needs echo_cancel; never "
                      "while it gives the crisis line, which is heard whole)")
    duplex: str = _opt("full", "While the device speaks: full (every control is heard over its voice; needs "
                       "echo_cancel) or half (only stop and words of crisis are heard over it)",
                       choices=["full", "half"])
    control_network: bool = _opt(True, "While the device guides, also hear the controls (stop, pause, slower, "
                                 "...) with our small network on openWakeWord's features, trained on what echo "
                                 "cancellation leaves of them over the device's own voice, and believed only "
                                 "where the canceller left a voice besides the device's: about twice as many "
                                 "heard over an echo as loud as the person, none obeyed of the device's own "
                                 "voice in 150 practices (docs/PERFORMANCE.md)")
    vosk_model: str = _opt("vosk-model-small-en-us-0.15", "Vosk model directory name under models/")


@dataclass(frozen=True)
class ButtonConfig:
    pin: int = _opt(17, "BCM pin of the button (to ground, pull-up)", lo=0, hi=27)
    hold_time: float = _opt(0.6, "Seconds held before push-to-talk starts", lo=0.3, hi=3.0)
    at_night: str = _opt("bedside", "What a tap starts at night: bedside (the soothing-touch session to fall "
                         "asleep to, 10-15 min, ending in silence) or break (the short Break, as by day)",
                         choices=["bedside", "break"])


@dataclass(frozen=True)
class PracticeConfig:
    breath_in: float = _opt(4.0, "Seconds of a breath in, for spoken breath cues and the light", lo=2.0, hi=8.0)
    breath_out: float = _opt(6.0, "Seconds of a breath out, for spoken breath cues and the light", lo=2.0, hi=10.0)


@dataclass(frozen=True)
class LightConfig:
    pin: int = _opt(18, "BCM pin of the status LED (PWM)", lo=0, hi=27)
    brightness: float = _opt(0.6, "Brightest level by day", lo=0.0, hi=1.0)
    night_brightness: float = _opt(0.15, "Brightest level at night", lo=0.0, hi=1.0)


@dataclass(frozen=True)
class SafetyConfig:
    country: str = _opt("US", "Country whose crisis lines are spoken (check them: voicecoach doctor)",
                        choices=["US", "CA", "GB", "IE", "AU", "NZ"])
    call_line: str = _opt("default", "Crisis line to call: 'default' = the country's, a number of your own, "
                          "or \"\" to say none")
    call_name: str = _opt("", "Who answers your own call_line, e.g. 'the county crisis team' (may be empty)")
    text_line: str = _opt("default", "Number to text: 'default' = the country's text service (which may differ "
                          "from its call line), a number of your own, or \"\" to say none")
    text_name: str = _opt("", "Who answers your own text_line (may be empty)")
    emergency_line: str = _opt("default", "Emergency number: 'default' = the country's, your own, or \"\" to say none")
    crisis_line: str = _opt("", "Older name for call_line, kept for old files: a number here is used while "
                            "call_line is 'default'; empty = the country's line")
    emergency_number: str = _opt("", "Older name for emergency_line, kept for old files: a number here is used "
                                 "while emergency_line is 'default'; empty = the country's number")


@dataclass(frozen=True)
class CacheConfig:
    dir: str = _opt("", "Phrase cache directory; empty = ~/.cache/voicecoach (VOICECOACH_CACHE_DIR wins)")


@dataclass(frozen=True)
class Config:
    audio: AudioConfig = field(default_factory=AudioConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    night: NightConfig = field(default_factory=NightConfig)
    asr: AsrConfig = field(default_factory=AsrConfig)
    button: ButtonConfig = field(default_factory=ButtonConfig)
    light: LightConfig = field(default_factory=LightConfig)
    practice: PracticeConfig = field(default_factory=PracticeConfig)
    safety: SafetyConfig = field(default_factory=SafetyConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    source: str = "(built-in defaults)"


SECTIONS = {f.name: f.default_factory for f in dataclasses.fields(Config) if f.name != "source"}


def load_config(path: str | os.PathLike | None) -> Config:
    """Read a config file; None gives the defaults. Raises ConfigError."""
    return load_layers([path] if path is not None else [])


def load_layers(paths: list) -> Config:
    """Several config files, each valid on its own; a key in a later file wins. Raises ConfigError."""
    merged: dict[str, dict] = {}
    for path in paths:
        for name, values in _read_sections(str(path)).items():
            merged.setdefault(name, {}).update(values)
    sections = {name: SECTIONS[name](**values) for name, values in merged.items()}
    return Config(**sections, source=" + ".join(map(str, paths)) or Config.source)


def _read_sections(where: str) -> dict[str, dict]:
    data = _read_toml(where)
    sections = {}
    for name, value in data.items():
        section_cls = _known(where, name, SECTIONS, "section")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: [{name}] must be a table of keys")
        sections[name] = _check_section(where, name, section_cls, value)
    return sections


def _read_toml(where: str) -> dict:
    try:
        with open(where, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read it ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None


def _known(where: str, name: str, allowed: dict, what: str):
    if name in allowed:
        return allowed[name]
    guess = difflib.get_close_matches(name, allowed, n=1)
    hint = f" — did you mean '{guess[0]}'?" if guess else ""
    raise ConfigError(f"{where}: unknown {what} '{name}'{hint} Allowed: {', '.join(allowed)}")


def _check_section(where: str, section: str, cls, values: dict) -> dict:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    checked = {}
    for key, value in values.items():
        spec = _known(where, f"{section}.{key}", {f"{section}.{k}": f for k, f in fields.items()}, "key")
        checked[key] = _check_value(where, f"{section}.{key}", spec, value)
    return checked


def _check_value(where: str, key: str, spec: dataclasses.Field, value: Any):
    meta = spec.metadata
    value = _check_type(where, key, spec, value)
    if meta["choices"] and value not in meta["choices"]:
        raise ConfigError(f"{where}: {key} = {value!r} is not allowed; use one of {', '.join(meta['choices'])}")
    if meta["lo"] is not None and not meta["lo"] <= value <= meta["hi"]:
        raise ConfigError(f"{where}: {key} = {value!r} is out of range; allowed {meta['lo']} to {meta['hi']}")
    if meta["clock"] and not CLOCK.match(value):
        raise ConfigError(f"{where}: {key} = {value!r} is not a time; write it as \"HH:MM\", e.g. \"21:00\"")
    return value


def _check_type(where: str, key: str, spec: dataclasses.Field, value: Any):
    default = spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()
    want = type(default)
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if want is list:
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            return [v.strip().lower() for v in value]
        raise ConfigError(f"{where}: {key} must be a non-empty list of phrases, e.g. [\"hey coach\"]")
    if want is str and isinstance(value, int) and not isinstance(value, bool) and "device" in key:
        return str(value)
    if type(value) is not want:
        raise ConfigError(f"{where}: {key} must be {_type_name(want)}, not {_type_name(type(value))} ({value!r})")
    return value


def _type_name(tp) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text in quotes",
            list: "a list", dict: "a table"}.get(tp, tp.__name__)


def default_cache_dir(config: Config) -> Path:
    env = os.environ.get("VOICECOACH_CACHE_DIR")
    if env:
        return Path(env)
    if config.cache.dir:
        return Path(config.cache.dir).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "voicecoach"


def models_dir() -> Path:
    env = os.environ.get("VOICECOACH_MODELS_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "models"


def voices_dir() -> Path:
    env = os.environ.get("VOICECOACH_MODELS_DIR")
    return Path(env) / "voices" if env else Path(__file__).resolve().parent.parent / "voices"


def config_reference() -> str:
    """Markdown table of every key, its default and what is allowed."""
    rows = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            rows.append(_reference_row(section, f))
    return "\n".join(rows) + "\n"


def _reference_row(section: str, f: dataclasses.Field) -> str:
    meta = f.metadata
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
    if meta["choices"]:
        allowed = " \\| ".join(meta["choices"])
    elif meta["lo"] is not None:
        allowed = f"{meta['lo']} – {meta['hi']}"
    elif meta["clock"]:
        allowed = "HH:MM"
    else:
        allowed = _type_name(type(default))
    shown = str(default).lower() if isinstance(default, bool) else repr(default)
    return f"| `{section}.{f.name}` | `{shown}` | {allowed} | {meta['doc']} |"


def to_toml(config: Config) -> str:
    """The whole config as TOML that `load_config` reads back to an equal config."""
    out = []
    for section in SECTIONS:
        out.append(f"[{section}]")
        for key, value in dataclasses.asdict(getattr(config, section)).items():
            out.append(f"{key} = {_toml_value(value)}")
        out.append("")
    return "\n".join(out)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
