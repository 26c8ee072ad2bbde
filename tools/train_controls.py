"""Train the controls' head (voicecoach/listen/wake/controls.npz): stop, pause, slower ... said over the device.

    python tools/train_controls.py [--out voicecoach/listen/wake/controls.npz] [--work /tmp/controls]
    (about 20 min on two cores: `--part 0` and `--part 1` side by side, then `--part 2` and the rest)

While the device speaks, a person's control reaches the recognizer through echo cancellation, which takes
the device's voice out and the first sounds of the person's words with it (docs/PERFORMANCE.md, "Talking
over the device"). This head learns the words as they come out of it:
1. The device's own practices as it plays them (its voice, its volume, its pauses), rendered once.
2. For each of our speakers (train_wake.py's: Piper at six paces, espeak-ng's accents and variants; never
   flite or festival, and never the exact voices `voicecoach eval talk-over` measures with), its controls, a
   few near misses and sentences of common words, said at times drawn at random over that speech.
3. The device's voice comes back through a room of its own for each speaker (measure/room.py's
   SpeakerEcho: a delay, reverberation, the loudspeaker's band and distortion, clock drift), from none to
   +10 dB over the person's voice, over a microphone's hiss; the session's own echo canceller
   (listen/echo.py) runs over it block by block; openWakeWord's features (listen/wakeword.py) follow.
4. One output per control, trained as train_wake.py trains the wake phrase. Each control's bar is the
   highest that still hears BAR_RECALL of its phrases said by our own held-out speakers (one in five, kept
   out of training), and the device's own voice must never reach it.
"""
from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from train_wake import Voices, babble, fires, load, phrase_runs, speakers_of, train  # noqa: E402

from voicecoach.listen.echo import EchoCanceller  # noqa: E402
from voicecoach.listen.endpoint import BLOCK, RATE  # noqa: E402
from voicecoach.listen.wakeword import WINDOW, Embedder, windows  # noqa: E402
from voicecoach.listen.controlword import CONTROLS, ControlHead  # noqa: E402
from voicecoach.measure.room import SpeakerEcho, active_rms, reverberate  # noqa: E402
from voicecoach.measure.voices import TUNING  # noqa: E402

SAYINGS = {"stop": ("stop", "stop.", "stop!"), "pause": ("pause", "pause.", "pause please"),
           "slower": ("slower", "slower.", "slower please"), "faster": ("faster", "faster.", "faster please"),
           "louder": ("louder", "louder.", "louder please"), "quieter": ("quieter", "quieter.", "quieter please"),
           "repeat": ("repeat that", "repeat that.", "repeat that please")}
NEAR_MISSES = ("top", "stopping", "slow", "fast", "loud", "quiet", "please", "sorry", "okay", "yes", "no",
               "thank you", "hmm", "repeat", "a pause", "later", "flower", "power", "shop", "cause", "louder than",
               "faster than", "that's nice", "go on", "i see", "right")
ECHO_DB = (None, -10.0, -5.0, 0.0, 3.0, 6.0, 10.0)  # the echo over the person's voice, one per speaker
VOICE_DB = -30.0     # a person from the bed, at the microphone (talk_over.py's)
HISS_DB = -70.0
POSITIVE = (-0.16, 0.40)
UNSURE = (-0.70, 1.00)
BAR_RECALL = 0.9
HIDDEN = 64
BALANCE = 0.03       # each control's phrases weigh this much against everything else (fewer false fires)
ALONE_COPIES = 2     # the device's own voice alone, learnt twice over: it must never obey itself
TRAIN_SEEDS, HELD_SEEDS = range(2000, 2010), range(3000, 3040)  # the device's practices through the session
HELD_TAKES = 2       # the held-out speakers say each control twice: enough to choose the bars on
OVER_SPEECH = 0.8    # the share of things said that start while the device is speaking
EVALUATED = set(TUNING)  # `eval talk-over` speaks in these: never learnt from


def device_speech(work: Path) -> np.ndarray:
    """The device's practices as it plays them (16 kHz), rendered once by the session `simulate` uses."""
    cached = work / "device.npy"
    if cached.exists():
        return np.load(cached)
    from voicecoach.config import load_config
    from voicecoach.events import IntentHeard
    from voicecoach.measure.talk_over import SELF_PRACTICES, Trial, _with
    from voicecoach.understand.router import Router

    config = _with(load_config(None), "full")
    router, played = Router(), []
    for n, request in enumerate(SELF_PRACTICES):
        trial = Trial(config, None, None, 0.0, seed=n)
        trial.session.post(IntentHeard(router.route(request), "idle"))
        while trial.count("practice_finished") < 1 and trial.t < 1800:
            trial.step()
            played.append(trial.played.copy())
        trial.close()
    audio = np.concatenate(played).astype(np.float32)
    np.save(cached, audio)
    return audio


class Recorder:
    """Sits where the controls' network sits in the spotter, and keeps what it would hear."""

    def __init__(self):
        self.blocks: list[np.ndarray] = []

    def rest(self) -> None:
        pass

    def feed(self, block: np.ndarray) -> list[str]:
        self.blocks.append(block.copy())
        return []


def device_heard(work: Path, seeds: range, echo_db: float = 10.0) -> np.ndarray:
    """What the controls' network hears of the device's own practices through the session's whole path (the
    room's echo at `echo_db` over a person's voice, the canceller, the front end), nobody speaking: one
    practice per seed (each kept in `work`)."""
    missing = [seed for seed in seeds if not (work / f"heard_{seed}.npy").exists()]
    if missing:
        _record_device(work, missing, echo_db)
    return np.concatenate([np.load(work / f"heard_{seed}.npy") for seed in seeds])


def _record_device(work: Path, seeds: list[int], echo_db: float) -> None:
    from voicecoach.config import load_config, voices_dir
    from voicecoach.events import IntentHeard
    from voicecoach.listen.engines import choose_engine
    from voicecoach.measure.talk_over import SELF_PRACTICES, Trial, _device_echo_level, _with
    from voicecoach.speech.tts import load_voice
    from voicecoach.understand.router import Router

    config = _with(load_config(None), "full")
    engine, voice = choose_engine(config), load_voice(config.voice.name, voices_dir(), 1, steady=True)
    gain = 10 ** ((VOICE_DB + echo_db - _device_echo_level(config, engine, voice)) / 20)
    router = Router()
    for seed in seeds:
        trial = Trial(config, engine, voice, gain, seed)
        trial.session.spotter.control_word = recorder = Recorder()
        trial.session.post(IntentHeard(router.route(SELF_PRACTICES[seed % len(SELF_PRACTICES)]), "idle"))
        trial.run_until(lambda: trial.count("practice_finished") >= 1, 1800.0)
        trial.close()
        wins, _ = labelled(np.concatenate(recorder.blocks).astype(np.float32) / 32767, [], Embedder())
        np.save(work / f"heard_{seed}.npy", wins)
        print(f"the device's practice {seed}: {len(wins) * 0.08 / 60:.1f} min heard", flush=True)


def speakers_for(split: str) -> list[str]:
    return [w for w in speakers_of(split) if w not in EVALUATED]


def person_level(rng: np.random.Generator) -> float:
    return VOICE_DB + float(rng.uniform(-6, 4))


def utterances(who: str, voices: Voices, takes: int, rng: np.random.Generator) -> list[tuple[np.ndarray, int]]:
    """What this speaker says over the device: each control `takes` times (class 1..), near misses and
    sentences of common words (class 0), shuffled."""
    said = []
    for c, control in enumerate(CONTROLS, start=1):
        for take in range(takes):
            said.append((voices.say(who, SAYINGS[control][take % 3], take), c))
    for miss in rng.choice(NEAR_MISSES, 4, replace=False):
        said.append((voices.say(who, str(miss)), 0))
    for sentence in babble(30, zlib.crc32(who.encode())):
        said.append((voices.say(who, sentence), 0))
    order = rng.permutation(len(said))
    return [said[i] for i in order]


class Session:
    """One speaker's stretch: the device talks on, the person speaks over it, and the echo canceller
    cleans what the microphone heard."""

    def __init__(self, device: np.ndarray, echo_db: float | None, level_at_one: float, rng: np.random.Generator):
        self.device, self.rng = device, rng
        loud = (np.abs(device) > 0.01).astype(np.float32)
        self.speaking = np.convolve(loud, np.ones(RATE // 4), "same") > 0  # within a quarter second of its voice
        self.gain = 0.0 if echo_db is None else 10 ** ((VOICE_DB + echo_db - level_at_one) / 20)

    def heard(self, said: list[tuple[np.ndarray, int]]) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """The cleaned microphone and (end sample, class) of each thing said."""
        rng = self.rng
        offset = int(rng.integers(len(self.device)))
        device = np.roll(self.device, -offset)
        speaking = np.roll(self.speaking, -offset)
        cursor, placed = int(RATE * rng.uniform(4, 6)), []  # a few seconds for the canceller to settle
        for speech, c in said:
            if rng.random() < OVER_SPEECH:  # mostly while the device speaks, as a person would talk over it
                ahead = np.flatnonzero(speaking[cursor % len(device):][: RATE * 10])
                cursor += int(ahead[0]) if len(ahead) else 0
            if rng.random() < 0.5:
                speech = reverberate(speech, float(rng.uniform(0.2, 0.5)), rng)
            speech = speech * (10 ** (person_level(rng) / 20) / max(active_rms(speech), 1e-9))
            placed.append((cursor, speech, c))
            cursor += len(speech) + int(RATE * rng.uniform(1.3, 3.0))
        length = (cursor // BLOCK + 1) * BLOCK
        person = np.zeros(length, np.float32)
        for start, speech, _ in placed:
            person[start:start + len(speech)] += speech
        return self._through_room(np.resize(device, length), person), [(s + len(sp), c) for s, sp, c in placed]

    def _through_room(self, played: np.ndarray, person: np.ndarray) -> np.ndarray:
        rng = self.rng
        echo = SpeakerEcho(self.gain, seed=int(rng.integers(1 << 30)), delay_s=float(rng.uniform(0.01, 0.06)),
                           rt60=float(rng.uniform(0.2, 0.6)), drift_ppm=float(rng.uniform(-80, 80))) if self.gain else None
        canceller = EchoCanceller(budget=10.0)
        hiss = rng.standard_normal(len(played)).astype(np.float32) * 10 ** (HISS_DB / 20)
        out = np.zeros(len(played), np.int16)
        for i in range(0, len(played), BLOCK):
            ref = played[i:i + BLOCK]
            mic = person[i:i + BLOCK] + hiss[i:i + BLOCK] + (echo.feed(ref) if echo else 0)
            out[i:i + BLOCK] = canceller.cancel((np.clip(mic, -1, 1) * 32767).astype(np.int16), ref)
        return out.astype(np.float32) / 32767


def labelled(audio: np.ndarray, ends: list[tuple[int, int]], embedder: Embedder):
    """Windows (float16) and labels: 0 nothing, c a control, -1 left out (near a control's end)."""
    rows, at = embedder.clip(audio)
    wins, wend = windows(rows), at[WINDOW - 1:]
    labels = np.zeros(len(wins), np.int8)
    for end, c in ends:
        if c == 0:
            continue
        offset = (wend - end) / RATE
        labels[(offset > UNSURE[0]) & (offset < UNSURE[1])] = -1
        labels[(offset >= POSITIVE[0]) & (offset <= POSITIVE[1])] = c
    return wins.astype(np.float16), labels


def echo_level_at_one(device: np.ndarray) -> float:
    """The active level (dBFS) of the device's first minute as its microphone hears it through a room at gain 1."""
    echo, blocks = SpeakerEcho(1.0, seed=0), RATE * 60 // BLOCK
    return 20 * np.log10(active_rms(np.concatenate([echo.feed(b) for b in np.split(device[:blocks * BLOCK], blocks)])))


def build(split: str, voices: Voices, device: np.ndarray, takes: int, seed: int, part: tuple[int, int]) -> dict:
    level_at_one = echo_level_at_one(device)
    all_wins, all_labels, echo_of = [], [], []
    embedder = Embedder()
    for n, who in enumerate(speakers_for(split)[part[0]::part[1]]):
        rng = np.random.default_rng(seed * 100000 + zlib.crc32(who.encode()))
        echo_db = ECHO_DB[n % len(ECHO_DB)]
        audio, ends = Session(device, echo_db, level_at_one, rng).heard(utterances(who, voices, takes, rng))
        wins, labels = labelled(audio, ends, embedder)
        all_wins.append(wins)
        all_labels.append(labels)
        echo_of.append(np.full(len(labels), -99.0 if echo_db is None else echo_db, np.float32))
        print(f"{split} {n + 1}: {who}, echo {echo_db}, {len(audio) / RATE:.0f} s", flush=True)
    # the device alone at +10 dB: every window a negative (it must never obey itself)
    alone, _ = Session(device, 10.0, level_at_one, np.random.default_rng(seed)).heard([])
    alone_wins, _ = labelled(np.concatenate([alone, _through(device, level_at_one, seed)]), [], embedder)
    return {"wins": np.concatenate(all_wins), "labels": np.concatenate(all_labels), "echo": np.concatenate(echo_of),
            "alone": alone_wins}


def _through(device: np.ndarray, level_at_one: float, seed: int) -> np.ndarray:
    """The whole of the device's speech at +10 dB over a person's voice, cleaned."""
    session = Session(device, 10.0, level_at_one, np.random.default_rng(seed + 1))
    length = len(device) // BLOCK * BLOCK
    return session._through_room(device[:length], np.zeros(length, np.float32))


def heard_share(scores: np.ndarray, labels: np.ndarray, c: int, bar: float) -> float:
    runs = phrase_runs(labels, c)
    return float(np.mean([np.any(scores[r] >= bar) for r in runs])) if runs else 0.0


def choose_bars(head: ControlHead, held: dict) -> np.ndarray:
    scores = head.scores(held["wins"].astype(np.float32))
    alone = head.scores(held["alone"].astype(np.float32)).max(axis=0)
    bars = []
    for c in range(len(CONTROLS)):
        good = [t for t in np.arange(0.30, 0.995, 0.01) if heard_share(scores[:, c], held["labels"], c + 1, t) >= BAR_RECALL]
        bars.append(max(max(good, default=0.3), float(alone[c]) + 0.02))
    return np.round(np.minimum(bars, 0.995), 3)


def report(head: ControlHead, data: dict, name: str) -> None:
    scores = head.scores(data["wins"].astype(np.float32))
    negatives = np.where((data["labels"] == 0)[:, None], scores, 0)
    alone = head.scores(data["alone"].astype(np.float32))
    print(f"{name}:")
    for echo in sorted(set(data["echo"].tolist())):
        rows = data["echo"] == echo
        heard = [heard_share(scores[rows, c], data["labels"][rows], c + 1, head.bars[c]) for c in range(len(CONTROLS))]
        print(f"  echo {'none' if echo == -99 else f'{echo:+.0f} dB'}: " +
              ", ".join(f"{c} {h:.0%}" for c, h in zip(CONTROLS, heard)))
    wrong = sum(fires(negatives[:, c], head.bars[c]) for c in range(len(CONTROLS)))
    self_fires = sum(fires(alone[:, c], head.bars[c]) for c in range(len(CONTROLS)))
    print(f"  false fires on near misses and other talk: {wrong}; on the device's own voice alone: {self_fires} "
          f"({len(data['alone']) * 0.08 / 60:.0f} min)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("voicecoach/listen/wake/controls.npz"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/controls"))
    parser.add_argument("--takes", type=int, default=4, help="times each training speaker says each control")
    parser.add_argument("--parts", type=int, default=2, help="the training speakers are built in this many parts")
    parser.add_argument("--part", type=int, help="build only this job's data and stop: 0 .. parts-1 are the "
                        "training speakers' parts, `parts` the held-out speakers (run them side by side)")
    parser.add_argument("--epochs", type=int, default=25)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    device = device_speech(args.work)
    print(f"device speech {len(device) / RATE / 60:.1f} min ({time.monotonic() - started:.0f} s)", flush=True)
    voices = Voices()
    data = {}
    jobs = [("train", 1, (p, args.parts), args.takes) for p in range(args.parts)] + [("held", 2, (0, 1), HELD_TAKES)]
    for n, (split, seed, part, takes) in enumerate(jobs):
        if args.part not in (None, n):
            continue
        built = load(args.work / f"{split}_{takes}_{part[0]}of{part[1]}.npz",
                     lambda: build(split, voices, device, takes, seed + 10 * part[0], part))
        data[split] = built if split not in data else {k: np.concatenate([data[split][k], built[k]]) for k in built}
    if args.part is not None:
        return
    fit = data["train"]
    keep = fit["labels"] >= 0
    alone = np.concatenate([fit["alone"], device_heard(args.work, TRAIN_SEEDS)])
    data["held"]["alone"] = np.concatenate([data["held"]["alone"], device_heard(args.work, HELD_SEEDS)])
    x = np.concatenate([fit["wins"][keep], *[alone] * ALONE_COPIES])
    labels = np.concatenate([fit["labels"][keep], np.zeros(len(alone) * ALONE_COPIES, np.int8)])
    y = (labels[:, None] == np.arange(1, len(CONTROLS) + 1)[None]).astype(np.float32)
    weights = train(x, y, args.epochs, hidden=HIDDEN, decay=1e-3, jitter=1.0, balance=BALANCE)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, controls=np.array(CONTROLS), bars=np.full(len(CONTROLS), 0.5), **weights)
    bars = choose_bars(ControlHead(args.out), data["held"])
    np.savez(args.out, controls=np.array(CONTROLS), bars=bars, **weights)
    head = ControlHead(args.out)
    print(f"bars: {dict(zip(CONTROLS, bars.tolist()))} ({time.monotonic() - started:.0f} s)")
    report(head, data["train"], "training speakers")
    report(head, data["held"], "own held-out speakers")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
