"""Running the benchmark and reporting it: a table for people, or one JSON object."""
from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

TARGETS = {"button_to_audio_ms": 30.0, "speech_end_to_audio_ms": 450.0, "request_end_to_audio_ms": 600.0,
           "idle_cpu_percent": 10.0, "rss_mb": 350.0, "echo_cancel_percent": 5.0, "echo_cancel_block_ms": 10.0}
FILE_SINK = """pcm.!default {{ type asym; playback.pcm {{ type file; slave.pcm "null"; file "{out}"; format "raw" }}
capture.pcm {{ type file; slave.pcm "null"; file "/dev/null"; infile "/dev/zero"; format "raw" }} }}
"""


def use_file_sink_without_sound_card() -> bool:
    """No sound card: point ALSA's default at its file plugin, before PortAudio loads, so real streams open."""
    cards = Path("/proc/asound/cards")
    if cards.exists() and "no soundcards" not in cards.read_text() and cards.read_text().strip():
        return False
    folder = Path(tempfile.mkdtemp(prefix="voicecoach-alsa-"))
    (folder / "asound.conf").write_text(FILE_SINK.format(out=os.devnull))
    os.environ["ALSA_CONFIG_PATH"] = f"/usr/share/alsa/alsa.conf:{folder / 'asound.conf'}"
    return True


def run_bench(config, quick: bool) -> dict:
    file_sink = use_file_sink_without_sound_card()
    from .bench import Bench, idle_audio, percentiles, rss_mb
    from .baseline import NaivePipeline
    from ..understand.router import Router

    started = time.perf_counter()
    bench = Bench(config, quick)
    idle_seconds = 15.0 if quick else 60.0
    try:
        ours = {
            "button_to_audio_ms": percentiles(bench.button_to_audio()),
            "speech_end_to_audio_ms": percentiles(bench.speech_end_to_audio()),
            "request_end_to_audio_ms": percentiles(bench.request_end_to_audio()),
            **bench.tts(),
            "idle_cpu_percent": bench.idle_cpu(idle_seconds),
            **bench.echo_cost(idle_seconds),
            **bench.controls_cost(idle_seconds),
            "rss_mb": rss_mb(),
        }
    finally:
        bench.close()
    naive_trials = 3 if quick else 5
    naive = NaivePipeline(bench.coaching.renderer.voice.files, config.asr.spot_silence)
    first_line = bench.coaching.practice("self_compassion_break").script()[2].variants[0]
    speech_end, heard = naive.speech_end_to_audio(bench.request, first_line, naive_trials, Router())
    baseline = {
        "button_to_audio_ms": percentiles(naive.button_to_audio(first_line, naive_trials)),
        "speech_end_to_audio_ms": percentiles(speech_end),
        **naive.tts(ours["text"]),
        "idle_cpu_percent": naive.idle_cpu(idle_audio(idle_seconds)),
        "rss_mb": naive.child_rss_mb(),
        "heard": heard,
    }
    return {
        **{k: v for k, v in ours.items() if k != "text"},
        "baseline": baseline,
        "ratios": ratios(ours, baseline),
        "targets": TARGETS,
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                    "python": platform.python_version(), "engine": bench.session.spotter.engine.name,
                    "output": "ALSA file plugin (no sound card)" if file_sink else "default sound card"},
        "quick": quick,
        "seconds": round(time.perf_counter() - started, 1),
    }


def ratios(ours: dict, baseline: dict) -> dict:
    def p95(d, key):
        v = d[key]
        return v["p95"] if isinstance(v, dict) else v
    out = {}
    for key in ("button_to_audio_ms", "speech_end_to_audio_ms", "tts_first_audio_ms", "idle_cpu_percent"):
        a, b = p95(ours, key), p95(baseline, key)
        out[key] = round(b / a, 1) if a and b else None
    return out


def table(result: dict) -> str:
    rows = [f"{'measure':26s} {'ours':>16s} {'baseline':>16s} {'better by':>10s} {'target':>8s}"]
    for key in ("button_to_audio_ms", "speech_end_to_audio_ms", "request_end_to_audio_ms", "tts_first_audio_ms",
                "tts_rtf", "idle_cpu_percent", "echo_cancel_percent", "echo_cancel_block_ms",
                "control_network_percent", "rss_mb"):
        rows.append(f"{key:26s} {_show(result[key]):>16s} {_show(result['baseline'].get(key, '')):>16s} "
                    f"{_ratio(result['ratios'].get(key)):>10s} {_show(TARGETS.get(key, '')):>8s}")
    rows.append(f"(p50/p95 over n trials; {result['machine']['output']}; {result['seconds']} s)")
    return "\n".join(rows)


def _show(value) -> str:
    if isinstance(value, dict):
        return f"{value['p50']}/{value['p95']} n={value['n']}"
    return "" if value == "" else str(value)


def _ratio(value) -> str:
    return f"{value}x" if value else ""
