"""Every runtime dependency must install on a Raspberry Pi: aarch64, CPython 3.11, glibc 2.36 (Bookworm).

The dependency tree is taken from this venv (run after `pip install .`), plus lgpio, which only the Pi
installs. Each package, at the version resolved here, must have a wheel for the Pi, except pure-Python
source-only packages listed below. Tags go up to manylinux_2_36: lgpio ships only a manylinux_2_34 wheel,
and a shorter list silently resolves to an ancient lgpio.
"""
import re
import subprocess
import sys
import tempfile
from importlib.metadata import distribution, requires

PURE_SOURCE_ONLY = {"srt"}  # pure Python, published only as a source archive; builds anywhere
PI_ONLY = ["lgpio>=0.2.2"]
PLATFORMS = ["manylinux2014_aarch64"] + [f"manylinux_2_{minor}_aarch64" for minor in range(17, 37)]


def tree(root: str) -> dict[str, str]:
    """name -> installed version, for root's runtime requirements, recursively (extras ignored)."""
    found, todo = {}, [root]
    while todo:
        name = todo.pop()
        for req in requires(name) or []:
            if "extra ==" in req:
                continue
            dep = re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]
            key = dep.lower().replace("_", "-")
            if key not in found:
                try:
                    found[key] = distribution(dep).version
                except Exception:  # a dependency for another platform (lgpio here): checked below
                    continue
                todo.append(dep)
    return found


def has_pi_wheel(spec: str, dest: str) -> bool:
    args = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
            "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--dest", dest]
    for platform in PLATFORMS:
        args += ["--platform", platform]
    return subprocess.run(args + [spec], capture_output=True, text=True).returncode == 0


def main() -> int:
    packages = tree("voicecoach")
    specs = [f"{n}=={v}" for n, v in sorted(packages.items()) if n not in PURE_SOURCE_ONLY] + PI_ONLY
    missing = []
    with tempfile.TemporaryDirectory() as dest:
        for spec in specs:
            ok = has_pi_wheel(spec, dest)
            print(f"  {'ok  ' if ok else 'MISSING'} {spec}")
            if not ok:
                missing.append(spec)
        lgpio = [w for w in __import__("os").listdir(dest) if w.startswith("lgpio-")]
    if missing:
        print(f"no aarch64/cp311 wheel for: {', '.join(missing)}")
        return 1
    print(f"aarch64/cp311: {len(specs)} packages have wheels ({', '.join(lgpio)}); "
          f"source-only, pure Python: {', '.join(sorted(PURE_SOURCE_ONLY & set(packages)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
