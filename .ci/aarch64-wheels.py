"""Every locked package must install on a Raspberry Pi: aarch64, CPython 3.11, glibc 2.36 (Bookworm).

It reads constraints.txt (the versions CI tests and the device installs): each entry must have a wheel for
the Pi at exactly that version, except pure-Python source-only packages listed below. Tags go up to
manylinux_2_36: lgpio ships only a manylinux_2_34 wheel.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "constraints.txt"
PURE_SOURCE_ONLY = {"srt"}  # pure Python, published only as a source archive; builds anywhere
PLATFORMS = ["manylinux2014_aarch64"] + [f"manylinux_2_{minor}_aarch64" for minor in range(17, 37)]


def locked(path: Path = LOCK) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def has_pi_wheel(spec: str, dest: str) -> bool:
    args = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
            "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--dest", dest]
    for platform in PLATFORMS:
        args += ["--platform", platform]
    return subprocess.run(args + [spec], capture_output=True, text=True).returncode == 0


def main() -> int:
    specs = [s for s in locked() if s.split("==")[0] not in PURE_SOURCE_ONLY]
    with tempfile.TemporaryDirectory() as dest:
        missing = [spec for spec in specs if not has_pi_wheel(spec, dest)]
    for spec in specs:
        print(f"  {'MISSING' if spec in missing else 'ok  '} {spec}")
    if missing:
        print(f"no aarch64/cp311 wheel for: {', '.join(missing)}")
        return 1
    print(f"aarch64/cp311: all {len(specs)} locked packages have wheels; "
          f"source-only, pure Python: {', '.join(sorted(PURE_SOURCE_ONLY))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
