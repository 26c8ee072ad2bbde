"""Fuzzing the readers of outside input: WAV files, config files, practice files.

Whatever the bytes, each either gives a value or raises its own clear error, never anything else.
"""
import io
import struct
import wave

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicecoach.audio.wav import AudioFileError, decode_wav
from voicecoach.config import ConfigError, load_config
from voicecoach.practices.schema import PracticeError, parse_practice

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def good_wav(rate=16000, channels=1, width=2, frames=400) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        silence = b"\x80" if width == 1 else b"\x00"  # 8-bit WAV is unsigned
        w.writeframes(silence * (frames * channels * width))
    return buf.getvalue()


def float_wav(samples: np.ndarray, rate=22050, extensible=False) -> bytes:
    data = samples.astype("<f4").tobytes()
    if extensible:
        fmt = struct.pack("<HHIIHHHHI16s", 0xFFFE, 1, rate, rate * 4, 4, 32, 22, 32, 4,
                          struct.pack("<H", 3) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
    else:
        fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_are_audio_or_a_clear_error(blob):
    try:
        samples, rate = decode_wav("x.wav", blob)
        assert samples.dtype == np.float32 and rate > 0
    except AudioFileError as exc:
        assert "x.wav" in str(exc)


@FUZZ
@given(st.integers(0, 500), st.binary(min_size=1, max_size=8))
def test_damaged_wav_files_are_audio_or_a_clear_error(position, garbage):
    blob = bytearray(good_wav())
    blob[position:position + len(garbage)] = garbage
    try:
        decode_wav("x.wav", bytes(blob))
    except AudioFileError:
        pass


@FUZZ
@given(st.integers(0, 2000))
def test_truncated_wav_files_are_audio_or_a_clear_error(cut):
    try:
        samples, _ = decode_wav("x.wav", good_wav()[:cut])
        assert len(samples) > 0
    except AudioFileError:
        pass


def test_every_pcm_and_float_layout_converts():
    for width in (1, 2, 3, 4):
        for channels in (1, 2):
            samples, rate = decode_wav("x.wav", good_wav(rate=44100, channels=channels, width=width))
            assert rate == 44100 and len(samples) == 400 and np.allclose(samples, 0, atol=1e-2)
    ramp = np.linspace(-0.5, 0.5, 100)
    for extensible in (False, True):
        samples, rate = decode_wav("x.wav", float_wav(ramp, extensible=extensible))
        assert rate == 22050 and np.allclose(samples, ramp, atol=1e-6)


TOML_PIECES = st.sampled_from([
    "[audio]", "[night]", "[asr]", "[button]", "volume = 0.5", "volume = 9", "always = true", "pin = 17",
    'start = "21:00"', 'start = "25:00"', 'engine = "vosk"', "engine = 3", "wake_phrases = []",
    'wake_phrases = ["hey coach"]', "= =", "[[audio]]", "x = {", "\x00", "volume = nan", "pin = -1",
])


@FUZZ
@given(st.lists(TOML_PIECES, max_size=8) | st.text(max_size=200).map(lambda t: [t]))
def test_any_config_text_loads_or_names_the_problem(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("cfg") / "voicecoach.toml"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    try:
        config = load_config(path)
        assert 0.0 <= config.audio.volume <= 1.0 and 0 <= config.button.pin <= 27
    except ConfigError as exc:
        assert str(path) in str(exc)


STEP = st.dictionaries(st.sampled_from(["say", "pause", "cue", "light", "sing"]),
                       st.one_of(st.text(max_size=30), st.floats(allow_nan=True), st.integers(-5, 100),
                                 st.lists(st.text(max_size=20), max_size=3), st.none()), max_size=2)


@FUZZ
@given(st.fixed_dictionaries({"name": st.text(max_size=5), "title": st.text(max_size=5),
                              "intent": st.just("help"), "steps": st.lists(STEP, max_size=4)}))
def test_any_practice_data_loads_or_names_the_problem(data):
    try:
        practice = parse_practice("p.toml", data)
        assert practice.steps
    except PracticeError as exc:
        assert "p.toml" in str(exc)
