"""Real PortAudio streams with no sound card: ALSA's file plugin writes what is played to a file."""
import json
import subprocess
import sys
import textwrap

import numpy as np

ASOUNDRC = """
pcm.!default {{ type asym; playback.pcm "vcout"; capture.pcm "vcin" }}
pcm.vcout {{ type file; slave.pcm "null"; file "{out}"; format "raw" }}
pcm.vcin {{ type file; slave.pcm "null"; file "/dev/null"; infile "{inp}"; format "raw" }}
"""


def alsa_home(tmp_path, mic: np.ndarray | None = None):
    home = tmp_path / "home"
    home.mkdir()
    inp = tmp_path / "in.raw"
    (mic if mic is not None else np.zeros(16000, np.int16)).astype("<i2").tofile(inp)
    (home / ".asoundrc").write_text(ASOUNDRC.format(out=tmp_path / "out.raw", inp=inp))
    return home


def run_python(home, code: str, timeout=120):
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "VOICECOACH_CACHE_DIR": str(home / "cache")}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_practice_plays_through_a_real_output_stream(tmp_path):
    home = alsa_home(tmp_path)
    result = run_python(home, """
        import json, time
        from voicecoach.audio.playback import OutputStream, Speaker
        from voicecoach.practices.player import Player
        from voicecoach.practices.schema import Cue, Say, Pause
        from voicecoach.speech.cache import PhraseCache
        from voicecoach.speech.render import Renderer
        from voicecoach.testing import ToneVoice
        from voicecoach.night import delivery_for
        from voicecoach.config import load_config
        import threading
        done = threading.Event(); seen = []
        def events(batch):
            seen.extend(name for _, name, _ in batch)
            if "finished" in seen: done.set()
        speaker = Speaker(16000, 0.8)
        stream = OutputStream(speaker, on_events=events)
        r = Renderer(ToneVoice(), PhraseCache("cache"), 16000)
        speaker.play(Player("p", [Cue("chime"), Say(("one two three.",)), Pause(0.5)], r, delivery_for(load_config(None), False)))
        stream.start(); ok = done.wait(30); stream.close()
        print(json.dumps({"ok": ok, "seen": seen, "blocks": stream.blocks}))
    """)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] and report["seen"][-1] == "finished" and report["blocks"] > 0
    played = np.fromfile(tmp_path / "out.raw", dtype="<i2")
    assert np.abs(played).max() > 5000  # the chime and the words reached the device


def test_microphone_reads_a_real_input_stream(tmp_path):
    tone = (np.sin(np.arange(16000) / 16000 * 2 * np.pi * 440) * 8000).astype(np.int16)
    home = alsa_home(tmp_path, tone)
    result = run_python(home, """
        import time, numpy as np
        from voicecoach.audio.capture import Inbox, Microphone
        inbox = Inbox(max_blocks=100000)
        mic = Microphone(inbox).start(); time.sleep(0.5); mic.close()
        blocks = [block for block, _ in inbox.blocks]
        print(len(blocks), len(blocks[0]), int(np.abs(np.concatenate(blocks[:50])).max()), inbox.dropped)
    """)
    assert result.returncode == 0, result.stderr
    count, size, peak, dropped = map(int, result.stdout.split())
    assert size == 320 and count >= 50 and peak > 7000


def test_run_fake_starts_on_enter_and_exits_cleanly_on_sigterm(tmp_path):
    import signal
    import time

    home = alsa_home(tmp_path)
    config = tmp_path / "c.toml"
    config.write_text('[button]\nat_night = "break"\n')  # a tap starts the Break at any hour
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "VOICECOACH_CACHE_DIR": str(home / "cache"),
           "VOICECOACH_LOG": "info", "VOICECOACH_CONFIG": str(config)}
    proc = subprocess.Popen([sys.executable, "-m", "voicecoach", "run", "--fake"], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("listening" in line for line in lines):
            lines.append(proc.stderr.readline())
        proc.stdin.write("\n")  # Enter is the button
        proc.stdin.flush()
        while time.monotonic() < deadline and not any("practice_started" in line for line in lines):
            lines.append(proc.stderr.readline())
        assert any("practice_started" in line and "self_compassion_break" in line for line in lines)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - sent < 1.5
        assert not any("text=" in line for line in lines)  # no transcript or spoken text at INFO
    finally:
        if proc.poll() is None:
            proc.kill()


def test_real_streams_that_error_or_stall_are_reopened_while_the_other_keeps_going(tmp_path):
    """Both links of `run`, on real PortAudio streams: the speaker's callback fails once, later stalls
    for 2.5 s; each time the devices are re-scanned for real and both streams come back."""
    home = alsa_home(tmp_path)
    result = run_python(home, f"""
        import json, time
        import sounddevice as sd
        from voicecoach.device.runtime import Runtime
        from voicecoach.device.settings import Settings

        class Trouble:  # a player whose reads fail once, then hang once, then are silent
            finished = False
            def __init__(self): self.reads = 0
            def start(self): pass
            def read(self, frames, wait=False):
                import numpy as np
                self.reads += 1
                if self.reads == 20: raise sd.CallbackAbort
                if self.reads == 400: time.sleep(2.5)
                return np.zeros(frames, np.float32), []
            def stop(self, fade_ms=0): pass
            def close(self): pass

        settings = Settings(None, boot=__import__("pathlib").Path("{tmp_path}/none.toml"),
                            state=__import__("pathlib").Path("{tmp_path}/state"))
        rt = Runtime(settings, settings.load(), fake=True)
        rt.session.speaker.play(Trouble())
        shown, show = [], rt.light.light.show
        rt.light.light.show = lambda pattern, b=None: (shown.append(pattern), show(pattern, b))
        seen = []
        end = time.monotonic() + 12
        while time.monotonic() < end:
            rt._next_tend = 0
            rt._tend()
            seen.append((rt.audio.links[0].up, rt.audio.links[1].up, rt.light.pattern))
            while rt.inbox.get(timeout=0) is not None: pass
            time.sleep(0.05)
        speaker, mic = rt.audio.links
        print(json.dumps({{"faults": [speaker.faults, mic.faults], "reopened": [speaker.reopened, mic.reopened],
                          "up": [speaker.up, mic.up], "fault_light": shown.count("fault"),
                          "light": rt.light.pattern, "mic_blocks": mic.stream.blocks}}))
        rt.audio.close()
    """)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["faults"][0] == 2 and report["reopened"][0] == 2, report
    assert report["up"] == [True, True] and report["mic_blocks"] > 0
    assert report["fault_light"] == 2 and report["light"] == "off", (report, result.stderr)
    assert "speaker fault 1: the speaker stream stopped" in result.stderr
    assert "speaker fault 2: no speaker frames" in result.stderr
