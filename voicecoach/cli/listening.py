"""Commands of the listening half, from files: intent, simulate."""
from __future__ import annotations

import json
import signal
import sys

from .errors import UserFacingError


def register(sub) -> None:
    p = sub.add_parser("intent", help="what a sentence asks for")
    p.add_argument("text", help="the sentence, or - to read one per line from standard input")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_intent)

    p = sub.add_parser("simulate", help="run the whole loop on a WAV file")
    p.add_argument("wav")
    p.add_argument("--out", metavar="OUT.wav")
    p.add_argument("--press", type=float, action="append", default=[], metavar="SECONDS")
    p.add_argument("--echo", type=float, default=0.0, metavar="GAIN",
                   help="the speaker's own voice fed back to the microphone at this gain (0 to 2)")
    p.add_argument("--echo-path", choices=["room", "exact"], default="room",
                   help="room: through a reverberant room, with delay, band limits, distortion and clock drift; "
                        "exact: a plain copy of what was played")
    p.add_argument("--realtime", action="store_true")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--day", dest="night", action="store_false", default=None,
                      help="day delivery, whatever the clock says")
    when.add_argument("--night", dest="night", action="store_true", default=None, help="night delivery (and the button's "
                      "night practice), whatever the clock says")
    p.add_argument("--seed", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_simulate)


def cmd_intent(args, config) -> int:
    from ..understand.router import Router

    router = Router()
    lines = sys.stdin if args.text == "-" else [args.text]
    for line in lines:
        intent = router.route(line.strip())
        if args.json:
            print(json.dumps(intent.as_json()), flush=True)
        else:
            print(_intent_line(intent), flush=True)
    return 0


def _intent_line(intent) -> str:
    """ "soothing_touch touch=self_hug  score 0.93  (runner-up: self_compassion_break 0.04)" """
    slots = "".join(f" {k}={v}" for k, v in intent.slots.items())
    small_talk = " (small talk)" if intent.small_talk else ""
    runner = f"  (runner-up: {intent.runner_up[0]} {intent.runner_up[1]:.2f})" if intent.runner_up else ""
    return f"{intent.name}{small_talk}{slots}  score {intent.score:.2f}{runner}"


def cmd_simulate(args, config) -> int:
    from ..audio.wav import AudioFileError
    from ..simulate import SimulationOptions, run_simulation

    if not 0.0 <= args.echo <= 2.0:
        raise UserFacingError(f"--echo {args.echo} is out of range; use a gain from 0.0 to 2.0")
    if any(t < 0 for t in args.press):
        raise UserFacingError("--press takes a time in seconds from the start of the input, 0 or more")
    options = SimulationOptions(presses=args.press, echo=args.echo, echo_path=args.echo_path,
                                realtime=args.realtime, night=args.night)
    report = _json_report if args.json else _text_report
    # SIGINT or SIGTERM ends the run after this block (exit 0, OUT written) by a flag: a KeyboardInterrupt
    # raised while a finalizer runs is printed and swallowed, and the run went on
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: options.stop.set())
    try:
        run_simulation(config, args.wav, args.out, report, options, seed=args.seed)
    except AudioFileError as exc:
        raise UserFacingError(str(exc)) from None
    return 0


def _json_report(event: str, data: dict) -> None:
    print(json.dumps({"event": event, **data}), flush=True)


def _text_report(event: str, data: dict) -> None:
    rest = " ".join(f"{k}={v}" for k, v in data.items() if k != "t")
    print(f"{data.get('t', 0):8.2f}  {event:18s} {rest}", flush=True)
