"""The voicecoach command line: one module per group of commands, each registering its own.

    practice.py   practice, say, prepare         listening.py  intent, simulate
    device.py     run, devices                   measure.py    bench, eval, soak
    setup.py      models, doctor                 errors.py     what a command raises for the user to fix
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from ..config import ConfigError, load_config
from .errors import EXIT_CONFIG, EXIT_INPUT, UserFacingError

GROUPS = ("practice", "listening", "device", "measure", "setup")  # in the order `--help` lists them


def main(argv: list[str] | None = None) -> int:
    from ..device.memory import limit_malloc_arenas

    limit_malloc_arenas()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("VOICECOACH_LOG", "WARNING").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config_path = args.config or os.environ.get("VOICECOACH_CONFIG")
    try:
        config = config_path if getattr(args, "reads_own_config", False) else load_config(config_path)
        return args.func(args, config) or 0
    except ConfigError as exc:
        print(f"voicecoach: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0
    except UserFacingError as exc:
        print(f"voicecoach: {exc}", file=sys.stderr)
        return EXIT_INPUT


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="voicecoach", description="An offline bedside voice companion.")
    p.add_argument("--config", metavar="FILE", help="config file (TOML)")
    sub = p.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        importlib.import_module(f"{__name__}.{group}").register(sub)
    return p


if __name__ == "__main__":
    sys.exit(main())
