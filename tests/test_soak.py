"""Long runs: 1,000 whole sessions through the real engines (PocketSphinx hears, Piper speaks) in
accelerated time; after warm-up, memory, threads and open files must not grow. (The leaks this found showed
within 150 sessions; `voicecoach soak --sessions 2000` is the longer run, about 14 minutes here.)"""
import json

from conftest import run_cli


def test_a_thousand_sessions_hold_memory_threads_and_files_flat(shared_cache):
    result = run_cli("soak", "--sessions", "1000", "--warmup", "200",
                     env={"VOICECOACH_CACHE_DIR": str(shared_cache)}, timeout=2100)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    print(figures)
    assert figures["completed"] == 1000  # every one: woken, practice started, stopped by voice, goodbye
    assert figures["rss_growth_mb"] < 20
    assert figures["threads_max"]["after"] <= figures["threads_max"]["warmup"]
    assert figures["open_fds_max"]["after"] <= figures["open_fds_max"]["warmup"]


def test_soak_refuses_nonsense_counts():
    result = run_cli("soak", "--sessions", "10", "--warmup", "10")
    assert result.returncode == 1 and "--warmup" in result.stderr and "Traceback" not in result.stderr
