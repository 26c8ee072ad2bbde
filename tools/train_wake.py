"""Train the wake phrase's head (voicecoach/listen/wake/hey_coach.npz) on our own voices, reproducibly.

    python tools/train_wake.py [--out voicecoach/listen/wake/hey_coach.npz] [--work /tmp/wake]
    (about 25 min on two cores: `--only train` and `--only held` side by side, then once without)

1. Speech: "hey coach" said by Piper (joe, at six paces) and by espeak-ng (eight English accents, each
   with 18 voice variants, at random speed and pitch), four takes of each, every take in a room of its
   own; near misses ("hey coat", "okay coach",
   "coach", the device's other phrases) by the same voices; plain read text (licence texts).
   flite and festival voices are never used: they are the independent check (`voicecoach eval room`).
2. One speaker configuration in five is kept out of training and threshold choice (`own held-out`),
   and is reported on at the end, with read text that training never heard.
3. Every clip is put in a room (measure/room.py): quiet, a fan, other talk, reverberation, and these
   together, at random levels; the speech's level varies too.
4. openWakeWord's feature models turn the sound into embeddings (listen/wakeword.py); windows ending
   just after the phrase are positives, every window of near misses and read text a negative.
5. A two-layer network (NumPy, Adam, class-weighted cross-entropy, noise on its inputs) learns them from
   three quarters of the training speakers. It is a first pass, like PocketSphinx's keyphrase search it
   replaces for the wake phrase: its threshold is the highest that still finds FIRST_PASS_RECALL of the
   phrases of the last quarter (accents it never learnt from), and the detector's second check follows.
6. Hours of other talk: "babble", sentences of common English words drawn by how often English uses them
   (listen/engines/general_english.tsv), read by every speaker, in rooms and plain. After a first round of
   training, the negative windows it scores highest (the talk most like "hey coach") are learnt again,
   HARD_COPIES times over, in a second round (hard-negative mining).
"""
from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voicecoach.audio.resample import resample  # noqa: E402
from voicecoach.audio.wav import decode_wav  # noqa: E402
from voicecoach.listen.wakeword import WINDOW, Embedder, WakeHead, windows  # noqa: E402
from voicecoach.measure.room import Condition, Room, reading  # noqa: E402
from voicecoach.measure.voices import Speakers  # noqa: E402

RATE = 16000
PHRASE = "hey coach"
SAYINGS = ("hey coach", "hey coach.", "hey, coach!", "hey coach?", "hey, coach.")
NEAR_MISSES = ("hey", "coach", "hey coat", "hey couch", "okay coach", "hey josh", "hey cold", "the coach",
               "hey go", "play coach", "hey roach", "hey poach", "they coached", "high coach", "hey coast",
               "hey kochi", "he coached", "a coach", "hey joe", "hey you", "i need a break", "hand on heart",
               "self hug", "stop", "thank you", "okay", "hey there", "hello", "the couch", "your coat")
PIPER_PACES = (0.8, 0.9, 1.0, 1.1, 1.25, 1.4)
ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029",
           "en-us-nyc")
VARIANTS = ("", "+m1", "+m2", "+m3", "+m4", "+m5", "+m7", "+f1", "+f2", "+f3", "+f4", "+klatt", "+Andy",
            "+Annie", "+john", "+linda", "+belinda", "+david")
FANS, TALKS, REVERBS = (None, -25, -15, -8), (None, -20, -12, -6), (0.0, 0.0, 0.3, 0.6, 0.9)
POSITIVE = (-0.16, 0.40)   # a window ending this close after the phrase's end (s) is the phrase
UNSURE = (-0.70, 1.00)     # around it, windows are left out of training
FIRST_PASS_RECALL = 0.9  # a first pass: the detector's second check rejects what is not the phrase
HIDDEN = 128
COMMON_WORDS = Path(__file__).resolve().parents[1] / "voicecoach" / "listen" / "engines" / "general_english.tsv"
HARD_SHARE, HARD_COPIES = 0.02, 4  # the negatives scored highest after the first round, learnt again


def speakers() -> list[str]:
    return [f"piper:{p}" for p in PIPER_PACES] + [f"espeak:{a}{v}" for a in ACCENTS for v in VARIANTS]


def held_out(who: str) -> bool:
    return zlib.crc32(who.encode()) % 5 == 0


def speakers_of(split: str) -> list[str]:
    """The speakers of "train" or of "held" (our own held-out ones)."""
    return [w for w in speakers() if held_out(w) == (split == "held")]


class Voices:
    """Our own voices; espeak-ng at a speed and pitch of its own for each speaker and text."""

    def __init__(self):
        self.piper = Speakers()

    def say(self, who: str, text: str, take: int = 0) -> np.ndarray:
        """`text` by `who`; another `take` is said at another speed and pitch (Piper says it alike)."""
        if who.startswith("piper:"):
            return trim(self.piper.say(who, text))
        rng = np.random.default_rng(zlib.crc32(f"{who}|{text}{f'|{take}' if take else ''}".encode()))
        args = ["espeak-ng", "-v", who.split(":", 1)[1], "-s", str(int(rng.integers(120, 190))),
                "-p", str(int(rng.integers(30, 75))), "--stdout"]
        wav = subprocess.run(args, input=text.encode(), check=True, capture_output=True).stdout
        samples, rate = decode_wav(who, wav)
        samples = resample(samples, rate, RATE)
        return trim(0.5 * samples / max(float(np.max(np.abs(samples))), 1e-6))


def trim(audio: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > 0.02 * max(float(np.max(np.abs(audio))), 1e-6))
    return audio[loud[0]:loud[-1] + 1].astype(np.float32) if len(loud) else audio


@functools.cache
def common_words() -> tuple[np.ndarray, np.ndarray]:
    """The commonest English words and how often English uses each (read once)."""
    table = [line.split("\t") for line in COMMON_WORDS.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    weights = 10 ** np.array([float(p) for _, p in table])
    return np.array([w for w, _ in table]), weights / weights.sum()


def babble(words: int, seed: int) -> list[str]:
    """Sentences of common English words, drawn as often as English uses them; never the wake phrase."""
    vocabulary, share = common_words()
    rng = np.random.default_rng(seed)
    sentences, said = [], 0
    while said < words:
        sentence = " ".join(rng.choice(vocabulary, int(rng.integers(4, 17)), p=share))
        if PHRASE not in sentence:
            sentences.append(sentence + str(rng.choice([".", ".", "?", "!", ","])))
            said += len(sentence.split())
    return sentences


def random_room(rng: np.random.Generator) -> Condition:
    return Condition("train", fan_db=rng.choice(FANS), talk_db=rng.choice(TALKS), reverb_s=float(rng.choice(REVERBS)))


class Stream:
    """Clips placed in rooms one after another; one embedder runs over the whole of it."""

    def __init__(self, room: Room, seed: int):
        self.room, self.rng = room, np.random.default_rng(seed)
        self.parts: list[np.ndarray] = []
        self.length = 0
        self.phrase_ends: list[int] = []

    def add(self, speech: np.ndarray, is_phrase: bool) -> None:
        condition = random_room(self.rng)
        gain = float(self.rng.uniform(0.1, 1.0))
        mix, end = self.room.place(speech * gain, condition, lead=float(self.rng.uniform(0.3, 1.0)),
                                   tail=float(self.rng.uniform(0.5, 1.2)), trial=int(self.rng.integers(1 << 30)))
        if is_phrase:
            self.phrase_ends.append(self.length + end)
        self.parts.append(mix)
        self.length += len(mix)

    def add_plain(self, audio: np.ndarray) -> None:
        self.parts.append(audio.astype(np.float32))
        self.length += len(audio)

    def features(self, embedder: Embedder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Windows, the sample each ends at, and labels (1 phrase, 0 not, -1 left out)."""
        rows, ends = embedder.clip(np.concatenate(self.parts))
        wins, wend = windows(rows), ends[WINDOW - 1:]
        labels = np.zeros(len(wins), np.int8)
        for b in self.phrase_ends:
            offset = (wend - b) / RATE
            labels[(offset > UNSURE[0]) & (offset < UNSURE[1])] = -1
            labels[(offset >= POSITIVE[0]) & (offset <= POSITIVE[1])] = 1
        return wins.astype(np.float16), wend, labels


def talk(who_all: list[str], voices: Voices, room: Room, seed: int, words_each: int) -> tuple[np.ndarray, float]:
    """Babble by every speaker, one sentence in two in a room, the rest as read; its windows and hours."""
    stream = Stream(room, seed)
    for n, who in enumerate(who_all):
        for i, sentence in enumerate(babble(words_each, seed * 1000 + n)):
            audio = voices.say(who, sentence)
            if i % 2:
                stream.add(audio, False)
            else:
                stream.add_plain(np.concatenate([audio, np.zeros(int(RATE * 0.3))]))
    wins, _, _ = stream.features(Embedder())
    return wins, stream.length / RATE / 3600


def build(split: str, voices: Voices, room: Room, seed: int, text_words: int, text_offset: int, takes: int) -> dict:
    """The data of one split: ("train" or "held") windows and labels, and the read-text windows apart."""
    who_all = speakers_of(split)
    embedder = Embedder()
    stream = Stream(room, seed)
    for who in who_all:
        for take in range(takes):  # each in a room of its own
            for saying in SAYINGS[: 3 if who.startswith("espeak") else 5]:
                stream.add(voices.say(who, saying, take), True)
        for miss in np.random.default_rng(zlib.crc32(who.encode())).choice(NEAR_MISSES, 8, replace=False):
            stream.add(voices.say(who, str(miss)), False)
    wins, _, labels = stream.features(embedder)
    text = Stream(room, seed + 1)
    readers = who_all[:: max(1, len(who_all) // 8)]
    for n, who in enumerate(readers):
        words = reading(text_words, text_offset + n * text_words).split()
        for i in range(0, len(words), 40):
            audio = voices.say(who, " ".join(words[i:i + 40]))
            if i % 80 == 0:
                text.add(audio, False)  # every other paragraph in a room, the rest as it was read
            else:
                text.add_plain(np.concatenate([audio, np.zeros(4000)]))
    twins, _, _ = text.features(embedder)
    spare = Stream(room, seed + 2)  # read text kept out of training: the threshold is chosen on it
    for n, who in enumerate(readers):
        words = reading(text_words, text_offset + (len(readers) + n) * text_words)
        spare.add_plain(voices.say(who, words))
    swins, _, _ = spare.features(embedder)
    return {"wins": wins, "labels": labels, "phrase_ends": len(stream.phrase_ends), "text": twins,
            "text_hours": text.length / RATE / 3600, "spare": swins, "spare_hours": spare.length / RATE / 3600,
            "speakers": len(who_all)}


def train(x: np.ndarray, y: np.ndarray, epochs: int = 40, seed: int = 0, hidden: int = HIDDEN,
          decay: float = 1e-4, jitter: float = 0.0, balance: float = 1.0) -> dict:
    """A two-layer network, one sigmoid output per column of `y` (a single output when `y` is flat). Each
    output's positives weigh `balance` times as much as its negatives, in all."""
    rng = np.random.default_rng(seed)
    flat = x.reshape(len(x), -1).astype(np.float32)
    mean, std = flat.mean(axis=0), flat.std(axis=0) + 1e-3
    flat = (flat - mean) / std
    target = y.reshape(len(y), -1).astype(np.float32)
    outputs = target.shape[1]
    w1 = (rng.standard_normal((flat.shape[1], hidden)) * np.sqrt(2 / flat.shape[1])).astype(np.float32)
    w2 = (rng.standard_normal((hidden, outputs)) * 0.1).astype(np.float32)
    params = [w1, np.zeros(hidden, np.float32), w2, np.zeros(outputs, np.float32)]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    found = target.sum(axis=0)
    weight = np.where(target == 1, balance * len(target) / (2 * np.maximum(1, found)),
                      len(target) / (2 * np.maximum(1, len(target) - found))).astype(np.float32)
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(len(flat))
        for batch in np.array_split(order, max(1, len(order) // 256)):
            xb, yb, wb = flat[batch], target[batch], weight[batch]
            if jitter:
                xb = xb + rng.standard_normal(xb.shape, np.float32) * jitter
            h = np.maximum(xb @ params[0] + params[1], 0)
            p = 1 / (1 + np.exp(-np.clip(h @ params[2] + params[3], -30, 30)))
            g = (p - yb) * wb / len(batch)
            gh = (g @ params[2].T) * (h > 0)
            grads = [xb.T @ gh + decay * params[0], gh.sum(0), h.T @ g + decay * params[2], g.sum(0)]
            step += 1
            for i, (p_, gr) in enumerate(zip(params, grads)):
                m, v = moments[i]
                m[...] = 0.9 * m + 0.1 * gr
                v[...] = 0.999 * v + 0.001 * gr * gr
                p_ -= 1e-3 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    w2, b2 = (params[2][:, 0], params[3][0]) if y.ndim == 1 else (params[2], params[3])
    return {"mean": mean, "std": std, "w1": params[0], "b1": params[1], "w2": w2, "b2": b2}


def fires(scores: np.ndarray, threshold: float, refractory: int = 19) -> int:
    count, quiet = 0, -1
    for i in np.flatnonzero(scores >= threshold):
        if i > quiet:
            count, quiet = count + 1, i + refractory
    return count


def phrase_runs(labels: np.ndarray, label: int = 1) -> list[np.ndarray]:
    """Each phrase's positive windows: the runs of consecutive `label`s."""
    where = np.flatnonzero(labels == label)
    return [r for r in np.split(where, np.flatnonzero(np.diff(where) > 1) + 1) if len(r)]


def recall(head: WakeHead, data: dict, threshold: float) -> float:
    scores = head.scores(data["wins"].astype(np.float32))
    # a phrase is heard if any of its windows fires
    return float(np.mean([np.any(scores[r] >= threshold) for r in phrase_runs(data["labels"])]))


def report(name: str, head: WakeHead, data: dict, threshold: float) -> str:
    scores = head.scores(data["text"].astype(np.float32))
    false = fires(scores, threshold) + fires(head.scores(data["wins"].astype(np.float32)) * (data["labels"] == 0), threshold)
    return (f"{name}: {data['speakers']} speakers, {data['phrase_ends']} phrases heard {recall(head, data, threshold):.1%}; "
            f"false fires {false} (read text {data['text_hours'] * 60:.0f} min and the near misses)")


def talk_report(head: WakeHead, talk_windows: np.ndarray, hours: float) -> str:
    scores = head.scores(talk_windows.astype(np.float32))
    counts = ", ".join(f"{fires(scores, bar) / hours:.1f} at {bar}" for bar in (head.threshold, 0.9, 0.95, 0.97, 0.99))
    return f"own held-out speakers' babble ({hours * 60:.0f} min): false fires per hour {counts}"


def hardest(head: WakeHead, negatives: np.ndarray) -> np.ndarray:
    """The negative windows the first round scores highest: the talk most like the phrase."""
    scores = np.concatenate([head.scores(negatives[i:i + 20000].astype(np.float32))
                             for i in range(0, len(negatives), 20000)])
    return negatives[np.argsort(scores)[-int(len(negatives) * HARD_SHARE):]]


def load(cached: Path, make) -> dict:
    if not cached.exists():
        np.savez(cached, **make())
    return dict(np.load(cached))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("voicecoach/listen/wake/hey_coach.npz"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/wake"))
    parser.add_argument("--text-words", type=int, default=300, help="words of read text per reader")
    parser.add_argument("--babble-minutes", type=float, default=120,
                        help="other talk by the training speakers (the held-out ones get a quarter of it)")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--takes", type=int, default=4, help="times each speaker says each form of the phrase")
    parser.add_argument("--only", choices=("train", "held"), help="build this split's data in --work and stop "
                        "(run one of each side by side on two cores, then once without)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    voices = Voices()
    started = time.monotonic()
    room = Room(voices.say("espeak:en-gb+m3", reading(1500, 20000)), seed=7)
    data = {}
    for split, seed, offset in (("train", 1, 30000), ("held", 2, 90000)):
        if args.only not in (None, split):
            continue
        data[split] = load(args.work / f"{split}_{args.takes}.npz",
                           lambda: build(split, voices, room, seed, args.text_words, offset, args.takes))
        who = speakers_of(split)
        minutes = args.babble_minutes * (0.25 if split == "held" else 1.0)
        words_each = int(minutes * 150 / len(who))
        data[split].update(load(args.work / f"{split}_babble_{words_each}.npz", lambda: dict(zip(
            ("babble", "babble_hours"), talk(who, voices, room, seed + 10, words_each)))))
        print(f"{split}: {len(data[split]['wins'])} windows, babble {float(data[split]['babble_hours']) * 60:.0f} min, "
              f"{time.monotonic() - started:.0f} s", flush=True)
    if args.only:
        return
    train_set, held = data["train"], data["held"]
    # the last quarter of the training speakers (whole accents) and half of the spare text choose the threshold
    cut, half = int(len(train_set["wins"]) * 0.75), len(train_set["spare"]) // 2
    fit = {"wins": train_set["wins"][:cut], "labels": train_set["labels"][:cut]}
    check = {"wins": train_set["wins"][cut:], "labels": train_set["labels"][cut:]}
    negatives = np.concatenate([fit["wins"][fit["labels"] == 0], train_set["text"], train_set["spare"][:half],
                                train_set["babble"]])
    positives = fit["wins"][fit["labels"] == 1]
    head = None
    for round_ in ("first", "hard negatives"):
        extra = [] if head is None else [hardest(head, negatives)] * HARD_COPIES
        x = np.concatenate([positives, negatives, *extra])
        y = np.concatenate([np.ones(len(positives)), np.zeros(len(x) - len(positives))]).astype(np.float32)
        weights = train(x, y, args.epochs, hidden=HIDDEN, decay=1e-3, jitter=1.0)
        head = save(args.out, weights, check)
        print(f"{round_} round: threshold {head.threshold:.2f}, chosen for {FIRST_PASS_RECALL:.0%} of the phrases of "
              f"speakers it did not learn from ({time.monotonic() - started:.0f} s)", flush=True)
        print(talk_report(head, held["babble"], float(held["babble_hours"])), flush=True)
    spare_minutes = float(train_set["spare_hours"]) * 30
    print(report("speakers it did not learn from", head, {**check, "text": train_set["spare"][half:],
                 "text_hours": spare_minutes / 60, "speakers": "the last quarter of the",
                 "phrase_ends": int(np.sum(np.diff(np.r_[0, check["labels"] == 1]) == 1))}, head.threshold))
    print(report("own held-out speakers", head, held, head.threshold))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")


def save(out: Path, weights: dict, check: dict) -> WakeHead:
    """Write the head with the highest threshold that still hears FIRST_PASS_RECALL of `check`'s phrases."""
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, phrase=PHRASE, threshold=0.5, **weights)
    head = WakeHead(out)
    threshold = max(t for t in np.arange(0.05, 0.99, 0.01) if recall(head, check, t) >= FIRST_PASS_RECALL)
    np.savez(out, phrase=PHRASE, threshold=round(float(threshold), 2), **weights)
    return WakeHead(out)


if __name__ == "__main__":
    main()
