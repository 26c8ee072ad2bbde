"""Speech recognition engines behind one small interface.

An engine makes recognizers restricted to a closed list of phrases, with an
out-of-grammar path so speech that is not for the device decodes to filler
instead of being forced onto a phrase.
"""
from __future__ import annotations

import logging
from pathlib import Path

from .base import Engine, EngineError, Recognizer

__all__ = ["Engine", "EngineError", "Recognizer", "choose_engine", "vosk_model_path"]
log = logging.getLogger(__name__)


def vosk_model_path(config) -> Path:
    from ...config import models_dir

    return models_dir() / config.asr.vosk_model


def choose_engine(config) -> Engine:
    """Vosk when asked for (or, with auto, when its model is present), else PocketSphinx; says why."""
    wanted = config.asr.engine
    model = vosk_model_path(config)
    if wanted == "vosk" or (wanted == "auto" and (model / "am").is_dir()):
        try:
            from .vosk_engine import VoskEngine

            return VoskEngine(model)
        except EngineError as exc:
            log.warning("%s; falling back to PocketSphinx", exc)
    elif wanted == "auto":
        log.info("no Vosk model at %s; using PocketSphinx (English, shipped in its wheel)", model)
    from .sphinx_engine import SphinxEngine

    return SphinxEngine()
