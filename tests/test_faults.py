"""Audio faults: streams that stop, stall or whose device vanishes are reopened with backoff; the light
shows the fault; systemd's watchdog is petted only while audio flows."""
import socket

import pytest

from voicecoach.audio.link import AudioLink
from voicecoach.hardware.light import NoLight, StatusLight
from voicecoach.device.service import Watchdog, notify
from voicecoach.testing import FakeAudioDevice


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def world():
    clock, device, changes = Clock(), FakeAudioDevice("speaker"), []
    link = AudioLink("speaker", device.open, device.rescan, lambda up, why: changes.append((up, why)), clock)
    return clock, device, link, changes


def run_for(clock, link, device, seconds, step=0.1, flowing=True):
    states = []
    for _ in range(int(round(seconds / step))):
        clock.now += step
        if flowing and device.opened:
            device.current.flow()
        states.append(link.check())
    return states


def test_a_healthy_stream_stays_open(world):
    clock, device, link, changes = world
    assert all(run_for(clock, link, device, 10))
    assert len(device.opened) == 1 and link.faults == 0 and changes == [(True, "")]


def test_a_stream_that_stops_is_closed_rescanned_and_reopened(world):
    clock, device, link, changes = world
    run_for(clock, link, device, 1)
    first = device.current
    first.fail()
    assert link.check() is True  # reopened in the same check, after a re-scan
    assert first.closed and device.current is not first and device.rescans == 1
    assert link.faults == 1 and link.reopened == 1
    assert changes[1][0] is False and "stopped" in changes[1][1] and changes[-1] == (True, "")


def test_a_stall_of_two_seconds_is_a_fault(world):
    clock, device, link, changes = world
    run_for(clock, link, device, 1)
    device.current.stalled = True
    states = run_for(clock, link, device, 1.9)
    assert all(states) and link.faults == 0  # under 2 s: a hiccup, not a fault
    run_for(clock, link, device, 0.3)
    assert link.faults == 1 and "no speaker frames" in changes[1][1]
    assert link.up and len(device.opened) == 2 and device.opened[0].closed


def test_a_vanished_device_is_retried_with_growing_backoff_until_it_returns(world):
    clock, device, link, changes = world
    run_for(clock, link, device, 1)
    device.present = False
    device.current.fail()
    tries = []
    real_open = device.open

    def counting_open():
        tries.append(clock.now)
        return real_open()

    link.open_stream = counting_open
    states = run_for(clock, link, device, 20, step=0.05)
    assert not any(states[1:])
    gaps = [b - a for a, b in zip(tries, tries[1:])]
    assert gaps[:5] == pytest.approx([0.5, 1.0, 2.0, 4.0, 8.0], abs=0.06), gaps  # backoff, not a busy loop
    assert [up for up, _ in changes].count(False) == 2  # stopped, then cannot open: reported once each
    device.present = True
    run_for(clock, link, device, 9)
    assert link.up and link.reopened == 1 and changes[-1] == (True, "")


def test_the_light_shows_an_audio_fault_over_everything_and_a_settings_fault_only_when_idle():
    light = StatusLight(NoLight())
    light.show("breathe", 0.5)
    light.set_fault("settings", "bad file")
    assert light.pattern == "breathe"
    light.show("off", 0.5)
    assert light.pattern == "fault"
    light.set_fault("settings", "")
    assert light.pattern == "off"
    light.show("breathe", 0.5)
    light.set_fault("audio", "no speaker")
    assert light.pattern == "fault"
    light.set_fault("audio", "")
    assert light.pattern == "breathe"


@pytest.fixture
def notify_socket(tmp_path):
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.01)
    yield str(path), sock
    sock.close()


def received(sock):
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096).decode())
        except (TimeoutError, socket.timeout):
            return messages


def test_sd_notify_sends_one_datagram_to_the_socket(notify_socket):
    path, sock = notify_socket
    assert notify("READY=1", path)
    assert received(sock) == ["READY=1"]
    assert notify("WATCHDOG=1", "") is False  # outside systemd: nothing to do


def test_watchdog_is_petted_at_half_its_period_only_while_audio_flows(notify_socket, monkeypatch):
    path, sock = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    clock = Clock()
    dog = Watchdog(clock, {"WATCHDOG_USEC": "4000000"})
    assert dog.interval == 2.0
    for i in range(100):  # 10 s, audio flowing for the first 6 only
        clock.now = i * 0.1
        dog.tick(audio_flowing=clock.now < 6)
    pets = [m for m in received(sock) if m == "WATCHDOG=1"]
    assert len(pets) == dog.sent == 3  # at 0, 2 and 4 s; none after audio stopped
    assert Watchdog(clock, {}).enabled is False


def test_with_the_speaker_gone_the_button_still_starts_and_stops_and_the_light_shows_it(tmp_path, monkeypatch):
    import time

    from voicecoach.events import ButtonPressed, ButtonReleased
    from voicecoach.device.runtime import Runtime
    from voicecoach.device.settings import Settings
    from voicecoach.testing import Reports

    config = tmp_path / "c.toml"
    config.write_text('[button]\nat_night = "break"\n')  # a tap starts the Break at any hour
    settings = Settings(str(config), tmp_path / "none.toml", tmp_path / "state")
    runtime = Runtime(settings, settings.load(), fake=True)
    speaker, mic = FakeAudioDevice("speaker"), FakeAudioDevice("microphone")
    speaker.present = False
    for link, device in zip(runtime.audio.links, (speaker, mic)):
        link.open_stream, link.rescan = device.open, device.rescan
    reports = Reports()
    runtime.session.report = reports

    def tend(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            runtime._next_tend = 0
            mic.opened and mic.current.flow()
            runtime._tend()
            while (item := runtime.inbox.get(timeout=0.02)) is not None:
                runtime._dispatch(*item)

    try:
        tend(0.5)
        assert not runtime.audio.links[0].up and runtime.audio.links[1].up
        assert runtime.light.pattern == "fault"
        for _ in range(2):  # a tap starts the Break, the next tap stops it
            runtime.inbox.put_event(ButtonPressed())
            runtime.inbox.put_event(ButtonReleased())
            tend(1.0)
        assert [d["practice"] for d in reports.named("practice_started")] == ["self_compassion_break", "goodbye"]
        assert reports.named("practice_stopped")[0]["practice"] == "self_compassion_break"
        assert runtime.light.pattern == "fault"  # the fault still shows over the practice's light
    finally:
        runtime.session.speaker.close()
        runtime.light.close()
