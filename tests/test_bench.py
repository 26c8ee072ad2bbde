"""The benchmark's reporting: figures, ratios against the baseline, and the table."""
from voicecoach.measure.bench import percentiles
from voicecoach.measure.benchmark import ratios, table


def test_percentiles():
    assert percentiles([10.0] * 19 + [100.0]) == {"p50": 10.0, "p95": 14.5, "n": 20}
    assert percentiles([]) == {"p50": None, "p95": None, "n": 0}


def test_ratios_compare_p95_and_plain_figures():
    ours = {"button_to_audio_ms": {"p95": 5.0}, "speech_end_to_audio_ms": {"p95": 300.0},
            "tts_first_audio_ms": 100.0, "idle_cpu_percent": 4.0}
    naive = {"button_to_audio_ms": {"p95": 1000.0}, "speech_end_to_audio_ms": {"p95": 1500.0},
             "tts_first_audio_ms": 900.0, "idle_cpu_percent": 20.0}
    assert ratios(ours, naive) == {"button_to_audio_ms": 200.0, "speech_end_to_audio_ms": 5.0,
                                   "tts_first_audio_ms": 9.0, "idle_cpu_percent": 5.0}


def test_table_lists_every_measure():
    figures = {"button_to_audio_ms": {"p50": 3, "p95": 6, "n": 20},
               "speech_end_to_audio_ms": {"p50": 300, "p95": 310, "n": 20},
               "request_end_to_audio_ms": {"p50": 480, "p95": 520, "n": 10},
               "tts_first_audio_ms": 400, "tts_rtf": 0.1, "idle_cpu_percent": 4, "rss_mb": 250,
               "echo_cancel_percent": 2.5, "echo_cancel_block_ms": {"p50": 0.4, "p95": 0.6, "n": 750},
               "control_network_percent": 3.1}
    result = {**figures, "baseline": dict(figures), "ratios": {"button_to_audio_ms": 1.0},
              "machine": {"output": "test"}, "seconds": 1}
    text = table(result)
    for key in figures:
        assert key in text
    assert "3/6 n=20" in text and "1.0x" in text and "0.4/0.6 n=750" in text
