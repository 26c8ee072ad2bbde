"""The subcommands: each a small function from parsed arguments and config to an exit status."""
from __future__ import annotations

import json
import sys

from .cli import UserFacingError


def register(sub) -> None:
    p = sub.add_parser("practice", help="guide a practice, or write its audio to a WAV file")
    p.add_argument("name", nargs="?", help="practice name, e.g. self_compassion_break")
    p.add_argument("option", nargs="?", default="any", help="for soothing_touch: hand_on_heart, self_hug, cup_face, any")
    p.add_argument("--out", metavar="FILE.wav")
    p.add_argument("--seed", type=int)
    p.add_argument("--list", action="store_true", help="list the practices")
    p.add_argument("--night", action="store_true", default=None, help="night delivery, whatever the time")
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser("say", help="speak a line, or write it to a WAV file")
    p.add_argument("text")
    p.add_argument("--out", metavar="FILE.wav")
    p.set_defaults(func=cmd_say)

    p = sub.add_parser("prepare", help="pre-render every practice line for day and night")
    p.set_defaults(func=cmd_prepare)

    from .listen_commands import register as register_listen

    register_listen(sub)


def _coaching(config, rate=None, seed=None, night=None):
    from .app import build_coaching

    coaching = build_coaching(config, out_rate=rate, seed=seed)
    coaching.night_override = night
    return coaching


def cmd_practice(args, config) -> int:
    from .app import UnknownPractice
    from .practices.schema import load_library

    if args.list or not args.name:
        for name, practice in sorted(load_library().items()):
            options = f"  ({', '.join(practice.option_names)}, any)" if practice.options else ""
            print(f"{name:24s} {practice.title}{options}")
        return 0
    try:
        return _perform(args, config, lambda c: c.player(args.name, args.option))
    except UnknownPractice as exc:
        raise UserFacingError(str(exc)) from None


def cmd_say(args, config) -> int:
    from .practices.player import Player
    from .practices.schema import Say

    text = " ".join(args.text.split())
    if not text:
        raise UserFacingError("say needs some text")
    return _perform(args, config, lambda c: Player("say", [Say((text,))], c.renderer, c.delivery()))


def _perform(args, config, make_player) -> int:
    from .audio.wav import write_wav
    from .render_out import play_on_device, render_to_array

    night = getattr(args, "night", None)
    if args.out:
        coaching = _coaching(config, seed=getattr(args, "seed", None), night=night)
        player = make_player(coaching)
        audio = render_to_array(player, coaching.delivery().volume)
        write_wav(args.out, audio, player.rate)
        print(f"wrote {args.out}: {len(audio) / player.rate:.1f} s", file=sys.stderr)
        return 0
    coaching_for = lambda rate: _coaching(config, rate=rate, seed=getattr(args, "seed", None), night=night)
    said = lambda name, data: name == "said" and print(data["text"], flush=True)
    play_on_device(lambda rate: make_player(coaching_for(rate)), config.audio.volume,
                   device=config.audio.output_device or None, on_event=said)
    return 0


def cmd_prepare(args, config) -> int:
    from .night import delivery_for

    coaching = _coaching(config)
    rendered = total = 0
    for night in (False, True):
        scale = delivery_for(config, night).length_scale
        for line in coaching.all_lines():
            total += 1
            rendered += coaching.renderer.prepare(line, scale)
    print(json.dumps({"lines": total, "rendered": rendered, "cached": total - rendered,
                      "cache": str(coaching.renderer.cache.folder)}))
    return 0
