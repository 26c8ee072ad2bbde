"""Commands that guide: practice, say, prepare. Each a small function from arguments and config to an exit status."""
from __future__ import annotations

import json
import sys

from ..practices.schema import LENGTHS
from .errors import UserFacingError


def register(sub) -> None:
    p = sub.add_parser("practice", help="guide a practice, or write its audio to a WAV file")
    p.add_argument("name", nargs="?", help="practice name, e.g. self_compassion_break")
    p.add_argument("option", nargs="?", default="any", help="for soothing_touch: hand_on_heart, self_hug, cup_face, any")
    p.add_argument("--out", metavar="FILE.wav")
    p.add_argument("--seed", type=int)
    p.add_argument("--list", action="store_true", help="list the practices")
    p.add_argument("--night", action="store_true", default=None, help="night delivery, whatever the time")
    p.add_argument("--length", choices=LENGTHS, default="short",
                   help="short (the default), long, or bedside (soothing_touch: 10-15 min, ending in silence)")
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser("say", help="speak a line, or write it to a WAV file")
    p.add_argument("text")
    p.add_argument("--out", metavar="FILE.wav")
    p.set_defaults(func=cmd_say)

    p = sub.add_parser("prepare", help="pre-render every practice line for day and night")
    p.set_defaults(func=cmd_prepare)


def _coaching(config, rate=None, seed=None, night=None):
    from ..coaching import build_coaching

    coaching = build_coaching(config, out_rate=rate, seed=seed)
    coaching.night_override = night
    return coaching


def cmd_practice(args, config) -> int:
    from ..coaching import UnknownPractice
    from ..practices.schema import load_library

    if args.list or not args.name:
        for name, practice in sorted(load_library().items()):
            options = f"  ({', '.join(practice.option_names)}, any)" if practice.options else ""
            longer = f"  [--length {', '.join(practice.lengths)}]" if practice.longer else ""
            print(f"{name:24s} {practice.title}{options}{longer}")
        return 0
    try:
        return _perform(args, config, lambda c: c.player(args.name, args.option, length=args.length))
    except UnknownPractice as exc:
        raise UserFacingError(str(exc)) from None


def cmd_say(args, config) -> int:
    from ..practices.player import Player
    from ..practices.schema import Say

    text = " ".join(args.text.split())
    if not text:
        raise UserFacingError("say needs some text")
    return _perform(args, config, lambda c: Player("say", [Say((text,))], c.renderer, c.delivery()))


def _perform(args, config, make_player) -> int:
    from ..practices.render_out import play_on_device

    seed, night = getattr(args, "seed", None), getattr(args, "night", None)
    if args.out:
        return _write(args.out, make_player(_coaching(config, seed=seed, night=night)))

    def player_at(rate):
        return make_player(_coaching(config, rate=rate, seed=seed, night=night))

    play_on_device(player_at, device=config.audio.output_device or None, on_event=_print_said)
    return 0


def _write(path: str, player) -> int:
    """Write the audio, and print each line as it is said, so what the device will say can be read."""
    from ..audio.wav import write_wav
    from ..practices.render_out import render_to_array

    audio = render_to_array(player, on_event=_print_said)
    try:
        write_wav(path, audio, player.rate)
    except OSError as exc:
        raise UserFacingError(f"cannot write {path} ({exc.strerror})") from None
    print(f"wrote {path}: {len(audio) / player.rate:.1f} s", file=sys.stderr)
    return 0


def _print_said(name: str, data: dict) -> None:
    if name == "said":
        print(data["text"], flush=True)


def cmd_prepare(args, config) -> int:
    from ..night import delivery_for

    coaching = _coaching(config)
    rendered = total = 0
    for night in (False, True):
        scale = delivery_for(config, night).length_scale
        for line, slower in coaching.paced_lines():
            total += 1
            rendered += coaching.renderer.prepare(line, round(scale * slower, 3))
    print(json.dumps({"lines": total, "rendered": rendered, "cached": total - rendered,
                      "cache": str(coaching.renderer.cache.folder)}))
    return 0
