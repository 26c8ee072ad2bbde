"""Subcommands of the listening half: intent, simulate, run, devices."""
from __future__ import annotations

import json
import signal
import sys

from .cli import UserFacingError


def register(sub) -> None:
    p = sub.add_parser("intent", help="what a sentence asks for")
    p.add_argument("text", help="the sentence, or - to read one per line from standard input")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_intent)

    p = sub.add_parser("simulate", help="run the whole loop on a WAV file")
    p.add_argument("wav")
    p.add_argument("--out", metavar="OUT.wav")
    p.add_argument("--press", type=float, action="append", default=[], metavar="SECONDS")
    p.add_argument("--echo", type=float, default=0.0, metavar="GAIN")
    p.add_argument("--realtime", action="store_true")
    p.add_argument("--seed", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("run", help="listen and guide, with microphone, speaker, button and light")
    p.add_argument("--fake", action="store_true", help="Enter on the keyboard is the button")
    p.set_defaults(func=cmd_run, reads_own_config=True)

    p = sub.add_parser("devices", help="list audio devices, marking the chosen ones")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("bench", help="measure latency, CPU and memory against a naive baseline")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="fewer trials and 15 s of idle audio (CI smoke test)")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("eval", help="listening evaluation: in rooms, in our voices and in held-out ones")
    p.add_argument("part", choices=["requests", "room"],
                   help="requests: after a wake, open transcription + router, in quiet; room: wake, direct "
                        "phrase and requests in room conditions, and false wakes on long read text")
    p.add_argument("--voices", choices=["tuning", "held-out", "all"], default="all",
                   help="tuning: Piper and espeak-ng; held-out: flite and festival (never tuned on)")
    p.add_argument("--conditions", nargs="+", metavar="NAME",
                   help="room conditions (room only): quiet fan-20 fan-10 talk-20 talk-10 reverb all")
    p.add_argument("--per-group", type=int, metavar="N", help="at most N voices of each group (room only)")
    p.add_argument("--negative-minutes", type=float, default=0.0, metavar="M",
                   help="minutes of read text for false wakes, shared among the voices (room only)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("soak", help="many whole sessions faster than real time, watching memory, threads, files")
    p.add_argument("--sessions", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=200)
    p.set_defaults(func=cmd_soak)


def cmd_intent(args, config) -> int:
    from .understand.router import Router

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
    runner = f"  (runner-up: {intent.runner_up[0]} {intent.runner_up[1]:.2f})" if intent.runner_up else ""
    return f"{intent.name}{slots}  score {intent.score:.2f}{runner}"


def cmd_simulate(args, config) -> int:
    from .audio.wav import AudioFileError
    from .simulate import SimulationOptions, run_simulation

    if not 0.0 <= args.echo <= 2.0:
        raise UserFacingError(f"--echo {args.echo} is out of range; use a gain from 0.0 to 2.0")
    if any(t < 0 for t in args.press):
        raise UserFacingError("--press takes a time in seconds from the start of the input, 0 or more")
    options = SimulationOptions(presses=args.press, echo=args.echo, realtime=args.realtime)
    report = _json_report if args.json else _text_report
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # ends the run like Ctrl-C: exit 0, OUT written
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


def cmd_run(args, config_path) -> int:
    """Runs on the last good settings when the config is broken; exits 2 only if there never were any."""
    from .runtime import run
    from .settings import Settings

    settings = Settings(config_path)
    return run(settings, settings.load(), fake=args.fake)


def cmd_bench(args, config) -> int:
    from .bench_command import run_bench, table

    result = run_bench(config, args.quick)
    print(json.dumps(result) if args.json else table(result))
    return 0


def cmd_eval(args, config) -> int:
    from .measure.listening import eval_requests, requests_table

    if args.part == "room":
        return _eval_room(args, config)
    report = eval_requests(config, args.voices)
    print(json.dumps(report) if args.json else requests_table(report))
    return 0


def _eval_room(args, config) -> int:
    from .measure.in_room import eval_room, room_table

    if args.negative_minutes < 0 or (args.per_group is not None and args.per_group < 1):
        raise UserFacingError("--negative-minutes must be 0 or more and --per-group 1 or more")
    try:
        report, groups = eval_room(config, args.voices, args.conditions, args.negative_minutes, args.per_group)
    except ValueError as exc:
        raise UserFacingError(str(exc)) from None
    if args.json:
        print(json.dumps({"rows": [[*k, *v] for k, v in report.rows.items()], "negatives": report.negatives,
                          "cpu_share": report.cpu_s / max(report.seconds_fed, 1e-9), "groups": groups}))
    else:
        print(room_table(report, groups))
    return 0


def cmd_soak(args, config) -> int:
    from .soak import run_soak

    if args.sessions < 2 or not 0 <= args.warmup < args.sessions:
        raise UserFacingError("--sessions must be 2 or more, and --warmup from 0 to fewer than --sessions")
    print(json.dumps(run_soak(config, args.sessions, args.warmup).as_json()))
    return 0


def cmd_devices(args, config) -> int:
    from .audio.devices import describe_devices

    try:
        print(describe_devices(config))
    except OSError as exc:
        raise UserFacingError(f"audio is not available: {exc}") from None
    return 0
