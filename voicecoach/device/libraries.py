"""The system libraries under the engines' wheels, and the Debian package that brings each.

A wheel carries its own code but not every system library it opens: on a minimal Bookworm image Vosk's
libvosk.so cannot find libatomic.so.1, and sounddevice finds no PortAudio. Python reports that as an
OSError (or ImportError) with the library's file name in its text; `missing_library` reads the name back
and says which package to install. systemd/packages.txt lists the packages install.sh puts on the device.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

# file name -> Debian (Bookworm) package
PACKAGES = {
    "libatomic.so.1": "libatomic1",
    "libportaudio.so.2": "libportaudio2",
    "libasound.so.2": "libasound2",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libgomp.so.1": "libgomp1",
    "libz.so.1": "zlib1g",
    "libffi.so.8": "libffi8",
}
PORTAUDIO_NOT_FOUND = "PortAudio library not found"  # sounddevice's words when it finds no libportaudio
# the loader names the library it could not open just before these words (after the one it was loading)
NOT_FOUND = re.compile(r"([^\s:'\"/]+\.so[.\d]*): cannot open shared object file")


@dataclass(frozen=True)
class Part:
    """A module with native code, what it does for the device, and whether the device can do without it."""

    module: str
    role: str
    essential: bool


PARTS = (
    Part("sounddevice", "sound in and out (PortAudio)", essential=True),
    Part("onnxruntime", "the Piper voice (onnxruntime)", essential=True),
    Part("pocketsphinx", "listening (PocketSphinx)", essential=True),
    Part("vosk", "listening with Vosk (PocketSphinx stands in)", essential=False),
    Part("pywebrtc_audio", "the listening front end (WebRTC audio processing)", essential=True),
    Part("soxr", "resampling (soxr)", essential=True),
)


@dataclass(frozen=True)
class Missing:
    library: str
    package: str  # empty when we do not know which package brings it

    def fix(self) -> str:
        if self.package:
            return f"run: sudo apt install {self.package}"
        return f"install the package that provides {self.library} (apt-file search {self.library})"


def missing_library(exc: BaseException) -> Missing | None:
    """The system library that `exc` (raised on loading a module) says is missing, if that is what it says."""
    text = str(exc)
    if PORTAUDIO_NOT_FOUND in text:
        return Missing("libportaudio.so.2", PACKAGES["libportaudio.so.2"])
    found = NOT_FOUND.search(text)
    if found is None:
        return None
    return Missing(found.group(1), PACKAGES.get(found.group(1), ""))


def explain(exc: BaseException) -> str:
    """Why a module did not load, in plain words."""
    missing = missing_library(exc)
    if missing is None:
        return str(exc)
    return f"the system library {missing.library} is missing" + (f" ({missing.package})" if missing.package else "")


def unloadable() -> list[tuple[Part, BaseException]]:
    """The parts whose module does not load here, each with why."""
    failures = []
    for part in PARTS:
        try:
            importlib.import_module(part.module)
        except (ImportError, OSError) as exc:
            failures.append((part, exc))
    return failures
