"""voicecoach: an offline bedside voice companion for self-compassion practices."""

__version__ = "0.1.0"

import os as _os

# onnxruntime (under Piper) keeps a device id and usage events in ~/.cache/Microsoft and would send
# them to a collector on the internet. An offline bedside device does neither.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
