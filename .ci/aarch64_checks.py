"""The device's code, run by .ci/aarch64-smoke under qemu-aarch64 (and natively, for comparison).

    libraries           every engine's native code loads (voicecoach.device.libraries), else what is missing
    sphinx WAV          PocketSphinx decodes WAV against the idle phrases; prints the transcript
    vosk MODEL WAV      Vosk loads MODEL and decodes WAV free-form; prints the transcript

A transcript goes to stdout alone, so the smoke test can compare the emulated one with the native one.
"""
import json
import sys

import numpy as np

from voicecoach.audio.resample import resample
from voicecoach.audio.wav import read_wav, to_int16


def pcm16k(path: str) -> bytes:
    samples, rate = read_wav(path)
    padded = np.concatenate([np.zeros(4800, np.float32), resample(samples, rate, 16000), np.zeros(8000, np.float32)])
    return to_int16(padded).tobytes()


def libraries() -> str:
    from voicecoach.device.libraries import PARTS, explain, unloadable

    failures = unloadable()
    for part, exc in failures:
        print(f"{part.module}: {explain(exc)}", file=sys.stderr)
    return "missing" if failures else f"{len(PARTS)} load"


def sphinx(wav: str) -> str:
    from voicecoach.listen.engines.sphinx_engine import SphinxEngine
    from voicecoach.understand.router import Router

    recognizer = SphinxEngine().recognizer(["hey coach"] + Router().phrases(direct=True))
    recognizer.begin()
    recognizer.feed(pcm16k(wav))
    return recognizer.end()


def vosk(model: str, wav: str) -> str:
    from voicecoach.listen.engines.vosk_engine import VoskEngine

    import vosk as engine

    recognizer = engine.KaldiRecognizer(VoskEngine(model, filler=()).model, 16000)
    recognizer.AcceptWaveform(pcm16k(wav))
    return json.loads(recognizer.FinalResult())["text"]


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print({"libraries": libraries, "sphinx": sphinx, "vosk": vosk}[command](*args))
