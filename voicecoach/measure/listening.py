"""`voicecoach eval`: the listening evaluation, on voices we tune with and on voices held out."""
from __future__ import annotations

import time

from .requests import REQUEST_SETS, STRATEGIES, evaluate_requests
from .voices import HELD_OUT, TUNING, available

VOICE_SETS = {"tuning": TUNING, "held-out": HELD_OUT, "all": TUNING + HELD_OUT}


def eval_requests(config, voices: str = "all", requests: str = "first") -> dict:
    from ..session import build_spotter
    from ..session import ALLOWED
    from ..understand.router import Router

    started = time.perf_counter()
    router = Router()
    spotter = build_spotter(config, router)
    chosen = available(VOICE_SETS[voices])
    report = evaluate_requests(spotter, router, chosen, ALLOWED["request"], spoken=REQUEST_SETS[requests])
    groups = {"tuning": [v for v in chosen if v in TUNING], "held-out": [v for v in chosen if v in HELD_OUT]}
    return {
        "engine": spotter.engine.name,
        "requests": len(report.results) // max(1, len(chosen)),
        "accuracy": {name: {s: round(report.accuracy(vs, s), 3) for s in STRATEGIES}
                     for name, vs in groups.items() if vs},
        "by_voice": {v: {s: round(report.accuracy([v], s), 3) for s in STRATEGIES} for v in chosen},
        "false_crisis": sum(r.got.get("every") == "crisis_support" != r.expected for r in report.results),
        "speech_end_to_intent_ms": report.latency_ms(),
        "misses": [{"voice": r.voice, "said": r.text, "heard": list(r.heard), "got": r.got["every"] if r.got else "",
                    "expected": r.expected} for r in report.results if not r.right()],
        "trials": [{"voice": r.voice, "said": r.text, "expected": r.expected, "heard": list(r.heard),
                    "runners_up": list(r.runners_up), "grammar_heard": r.grammar_heard, "got": r.got}
                   for r in report.results],
        "seconds": round(time.perf_counter() - started, 1),
    }


def requests_table(report: dict) -> str:
    rows = [f"spoken requests after a wake ({report['engine']}, {report['requests']} requests per voice); "
            f"accuracy with every reading (open, its runners-up, grammar) / open only / grammar only",
            f"{'voice':22s} {'every':>6s} {'open':>6s} {'grammar':>8s}"]
    for voice, acc in report["by_voice"].items():
        rows.append(f"{voice:22s} {acc['every']:6.0%} {acc['open']:6.0%} {acc['grammar']:8.0%}")
    for group, acc in report["accuracy"].items():
        rows.append(f"{'all ' + group:22s} {acc['every']:6.0%} {acc['open']:6.0%} {acc['grammar']:8.0%}")
    latency = report["speech_end_to_intent_ms"]
    rows.append(f"end of speech -> intent: p50 {latency['p50']} ms, p95 {latency['p95']} ms "
                f"(endpoint silence included); {report['false_crisis']} heard as a crisis that were not; "
                f"{report['seconds']} s")
    return "\n".join(rows)
