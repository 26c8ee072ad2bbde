"""Fetching and verifying the models a device downloads once: the Vosk English model and Piper voices.

Every file is downloaded to a `.part` file (an interrupted download resumes), checked
against its pinned SHA-256, and only then moved into place in one rename, so a model
folder is either complete or absent.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

VOSK_BASE = "https://alphacephei.com/vosk/models/"
PIPER_BASE = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/en/en_US/"
CHUNK = 1 << 16


class FetchError(RuntimeError):
    """A download that could not be completed; nothing was installed."""


@dataclass(frozen=True)
class Download:
    url: str
    sha256: str
    size: int | None = None

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Model:
    """A Vosk model (one zip, unpacked into a folder) or a Piper voice (model + config, two files)."""

    name: str
    kind: str  # "vosk" | "voice"
    downloads: tuple[Download, ...]
    about: str


CATALOG: tuple[Model, ...] = (
    Model("vosk-model-small-en-us-0.15", "vosk", (
        Download(VOSK_BASE + "vosk-model-small-en-us-0.15.zip",
                 "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498", 41_205_931),),
          "Vosk small English model (speech recognition), 41 MB"),
    Model("en_US-lessac-medium", "voice", (
        Download(PIPER_BASE + "lessac/medium/en_US-lessac-medium.onnx",
                 "5efe09e69902187827af646e1a6e9d269dee769f9877d17b16b1b46eeaaf019f", 63_201_294),
        Download(PIPER_BASE + "lessac/medium/en_US-lessac-medium.onnx.json",
                 "efe19c417bed055f2d69908248c6ba650fa135bc868b0e6abb3da181dab690a0")),
          "Piper voice, US English, lessac, medium quality, 63 MB"),
    Model("en_US-amy-low", "voice", (
        Download(PIPER_BASE + "amy/low/en_US-amy-low.onnx",
                 "a5a91abb7de0f104358a25aded480ddacf1ff0762886325886ec406a2e86aab3", 63_104_526),
        Download(PIPER_BASE + "amy/low/en_US-amy-low.onnx.json",
                 "2250a9a605b8dc35a116717fadc5056695dd809e34a15d02f72a0f52d53d3ebb")),
          "Piper voice, US English, amy, low quality, 63 MB"),
)
VOSK_DEFAULT = CATALOG[0]


def find_model(name: str, catalog=CATALOG) -> Model:
    """A catalog entry by its full name or a unique part of it ('lessac' finds en_US-lessac-medium)."""
    exact = [m for m in catalog if m.name == name]
    matches = exact or [m for m in catalog if name.lower() in m.name.lower()]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(m.name for m in catalog if m.kind == "voice")
    if not matches:
        raise FetchError(f"no voice named '{name}' in the catalog; known voices: {known}")
    raise FetchError(f"'{name}' matches several voices ({', '.join(m.name for m in matches)}); give the full name")


def installed(model: Model, models_root: Path, voices_root: Path) -> bool:
    if model.kind == "vosk":
        return (models_root / model.name / "am").is_dir()
    return all((voices_root / d.filename).is_file() for d in model.downloads)


# -- downloading ---------------------------------------------------------------------------------

def download(item: Download, part: Path, mirror: str | None = None, progress: Callable[[int], None] | None = None,
             timeout: float = 30.0) -> Path:
    """Download into `part`, resuming what is there; verify the SHA-256. A mismatch removes the file."""
    url = mirror.rstrip("/") + "/" + item.filename if mirror else item.url
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    if item.size is not None and have > item.size:
        part.unlink()
        have = 0
    if item.size is None or have < item.size:
        _transfer(url, part, have, progress, timeout)
    _verify(item, part)
    return part


def _transfer(url: str, part: Path, have: int, progress, timeout: float) -> None:
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = have and response.status == 206
            expected = int(response.headers.get("Content-Length") or -1)
            with open(part, "ab" if resumed else "wb") as out:
                got = _copy(response, out, have if resumed else 0, progress) - (have if resumed else 0)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # asked beyond the end: the .part is already whole
            return
        raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FetchError(f"cannot download {url} ({reason}). Is the device online? "
                         f"Run the same command again to resume.") from None
    if 0 <= got < expected:
        raise FetchError(f"the download of {url} stopped after {got} of {expected} bytes. "
                         f"Run the same command again to resume.")


def _copy(response, out, done: int, progress) -> int:
    while chunk := response.read(CHUNK):
        out.write(chunk)
        done += len(chunk)
        if progress:
            progress(done)
    return done


def _verify(item: Download, part: Path) -> None:
    digest = hashlib.sha256()
    with open(part, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    size = part.stat().st_size
    if digest.hexdigest() != item.sha256 or (item.size is not None and size != item.size):
        part.unlink()
        raise FetchError(f"{item.filename}: checksum mismatch (got {digest.hexdigest()[:16]}…, {size} bytes; "
                         f"expected {item.sha256[:16]}…). The download was deleted; nothing was installed.")


# -- installing ----------------------------------------------------------------------------------

def fetch(model: Model, models_root: Path, voices_root: Path, mirror: str | None = None,
          progress: Callable[[str, int], None] | None = None) -> Path:
    """Download, verify and install one model; returns where it is. Already installed: nothing to do."""
    target = models_root / model.name if model.kind == "vosk" else voices_root
    if installed(model, models_root, voices_root):
        return target
    remove_leftovers(models_root)
    staging = models_root / ".downloads"
    _check_space(models_root, sum(d.size or 0 for d in model.downloads) * 3)
    parts = [download(d, staging / (d.filename + ".part"), mirror,
                      (lambda n, d=d: progress(d.filename, n)) if progress else None)
             for d in model.downloads]
    try:
        if model.kind == "vosk":
            _unpack_zip(parts[0], model.name, models_root)
        else:
            _place_voice(model, parts, voices_root)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
    return target


def _place_voice(model: Model, parts: list[Path], voices_root: Path) -> None:
    voices_root.mkdir(parents=True, exist_ok=True)
    for item, part in sorted(zip(model.downloads, parts), key=lambda p: p[0].filename.endswith(".onnx")):
        os.replace(part, voices_root / item.filename)  # the .onnx last: a voice is complete once it exists


def _check_space(folder: Path, needed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise FetchError(f"not enough free space in {folder}: {free // 2**20} MB free, "
                         f"{needed // 2**20} MB needed")


def _unpack_zip(archive: Path, name: str, models_root: Path) -> None:
    """Unpack into a hidden folder beside the target, then rename it into place."""
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=models_root))
    try:
        try:
            with zipfile.ZipFile(archive) as zf:
                _safe_extract(zf, staging)
        except zipfile.BadZipFile:
            raise FetchError(f"{archive.name}: not a zip archive") from None
        top = staging / name
        if not (top / "am").is_dir():
            raise FetchError(f"{archive.name}: does not hold a Vosk model folder '{name}/am'")
        final = models_root / name
        if final.exists():
            shutil.rmtree(final)
        os.replace(top, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _safe_extract(zf: zipfile.ZipFile, into: Path) -> None:
    root = into.resolve()
    for member in zf.namelist():
        if not (into / member).resolve().is_relative_to(root):
            raise FetchError(f"refusing archive entry outside the model folder: {member}")
    zf.extractall(into)


def remove_leftovers(models_root: Path) -> None:
    """Unpacking folders left by a power cut are removed; `.part` downloads are kept to resume."""
    if models_root.is_dir():
        for entry in models_root.glob(".*.*"):
            if entry.is_dir() and entry.name != ".downloads":
                shutil.rmtree(entry, ignore_errors=True)
