"""Listing audio devices, marking the ones voicecoach would use."""
from __future__ import annotations


def _chosen(setting: str, kind: str, sd) -> int | None:
    if setting:
        try:
            return sd.query_devices(int(setting) if setting.isdigit() else setting, kind)["index"]
        except (ValueError, Exception):  # PortAudio's errors for unknown names are plain
            return None
    default = sd.default.device[0 if kind == "input" else 1]
    return default if default is not None and default >= 0 else None


def describe_devices(config) -> str:
    import sounddevice as sd

    devices = sd.query_devices()
    chosen_in = _chosen(config.audio.input_device, "input", sd)
    chosen_out = _chosen(config.audio.output_device, "output", sd)
    lines = []
    for d in devices:
        marks = []
        if d["max_input_channels"] > 0:
            marks.append("input" + (" (chosen)" if d["index"] == chosen_in else ""))
        if d["max_output_channels"] > 0:
            marks.append("output" + (" (chosen)" if d["index"] == chosen_out else ""))
        lines.append(f"{d['index']:3d}  {d['name']:40s} {int(d['default_samplerate'])} Hz  {', '.join(marks)}")
    if not lines:
        lines.append("no audio devices found")
    return "\n".join(lines)
