"""The naive pipeline that `voicecoach bench` measures against, in the same process and run."""
from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from ..audio.playback import AUDIBLE
from ..audio.wav import read_wav
from ..listen.endpoint import BLOCK, RATE


class NaivePipeline:
    """Piper's command line per response, full-vocabulary recognition, a new output stream per response."""

    def __init__(self, voice_files, endpoint_silence: float):
        from pocketsphinx import Decoder

        self.voice_files = voice_files
        self.endpoint_silence = endpoint_silence
        self.decoder = Decoder(samprate=RATE, loglevel="FATAL")  # the wheel's full English language model
        self.tmp = Path(tempfile.mkdtemp(prefix="voicecoach-bench-"))

    def piper_cli(self, text: str) -> Path:
        out = self.tmp / "reply.wav"
        subprocess.run([sys.executable, "-m", "piper", "-m", str(self.voice_files.model), "-c",
                        str(self.voice_files.config), "-f", str(out)], input=text.encode(), check=True,
                       capture_output=True)
        return out

    def first_sound_on_new_stream(self, wav: Path) -> float:
        """Open a fresh output stream for the file; the time its first audible sample is handed over."""
        import sounddevice as sd

        samples, rate = read_wav(wav)
        heard, pos = threading.Event(), [0]
        when = [0.0]

        def callback(outdata, frames, time_info, status):
            chunk = samples[pos[0]:pos[0] + frames]
            outdata[:len(chunk), 0] = chunk
            outdata[len(chunk):, 0] = 0
            loud = np.flatnonzero(np.abs(chunk) > AUDIBLE)
            if len(loud) and not heard.is_set():
                when[0] = time.perf_counter() + loud[0] / rate
                heard.set()
            pos[0] += frames

        with sd.OutputStream(samplerate=rate, channels=1, dtype="float32", callback=callback):
            heard.wait(5)
        return when[0]

    def respond(self, text: str) -> float:
        return self.first_sound_on_new_stream(self.piper_cli(text))

    def transcribe(self, pcm: np.ndarray) -> str:
        self.decoder.start_utt()
        self.decoder.process_raw(pcm.tobytes(), full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp else ""

    def button_to_audio(self, first_line: str, trials: int) -> list[float]:
        results = []
        for _ in range(trials):
            t0 = time.perf_counter()
            results.append((self.respond(first_line) - t0) * 1000)
        return results

    def speech_end_to_audio(self, request: np.ndarray, reply: str, trials: int, router) -> tuple[list[float], str]:
        results, heard = [], ""
        for _ in range(trials):
            t0 = time.perf_counter()
            time.sleep(self.endpoint_silence)  # the same trailing silence before the request is closed
            heard = self.transcribe(request)
            router.route(heard)
            results.append((self.respond(reply) - t0) * 1000)
        return results, heard

    def tts(self, text: str) -> dict:
        t0 = time.perf_counter()
        wav = self.piper_cli(text)
        total = time.perf_counter() - t0
        samples, rate = read_wav(wav)
        return {"tts_first_audio_ms": round(total * 1000, 1), "tts_rtf": round(total / (len(samples) / rate), 3)}

    def idle_cpu(self, audio: np.ndarray) -> float:
        """Every block through the full-vocabulary recognizer, with no voice gate."""
        c0 = time.process_time()
        self.decoder.start_utt()
        for i in range(len(audio) // BLOCK):
            self.decoder.process_raw(audio[i * BLOCK:(i + 1) * BLOCK].tobytes(), False, False)
            if i % 500 == 499:
                self.decoder.end_utt()
                self.decoder.start_utt()
        self.decoder.end_utt()
        return round(100 * (time.process_time() - c0) / (len(audio) / RATE), 1)

    @staticmethod
    def child_rss_mb() -> float:
        return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
