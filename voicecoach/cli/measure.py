"""Commands that measure: bench, eval, soak."""
from __future__ import annotations

import json

from .errors import UserFacingError


def register(sub) -> None:
    p = sub.add_parser("bench", help="measure latency, CPU and memory against a naive baseline")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="fewer trials and 15 s of idle audio (CI smoke test)")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("eval", help="listening evaluation: in rooms, in our voices and in held-out ones")
    p.add_argument("part", choices=["requests", "room", "talk-over"],
                   help="requests: after a wake, open transcription + router, in quiet; room: wake, direct "
                        "phrase, crisis phrase and requests in room conditions, false wakes on long read text "
                        "and the crisis lines a TV drama draws; talk-over: "
                        "controls said over the device's voice with its echo in the room, and whole practices "
                        "with the echo and nobody speaking (our own voices only)")
    p.add_argument("--voices", choices=["tuning", "held-out", "all"], default="all",
                   help="tuning: Piper and espeak-ng; held-out: flite and festival (never tuned on)")
    p.add_argument("--requests", default="first",
                   choices=["first", "fresh", "fresh-2", "fresh-3", "fresh-4", "fresh-5", "fresh-6", "fresh-7",
                            "fresh-8", "fresh-9", "fresh-10", "dev"],
                   help="which spoken requests (requests only): the first set, the fresh ones written later "
                        "(fresh-2 to fresh-6 on 2026-12-01, fresh-7 to fresh-10 on 2026-12-02; never tuned on), "
                        "or the set for tuning the open vocabulary (our voices only)")
    p.add_argument("--conditions", nargs="+", metavar="NAME",
                   help="room conditions (room only): quiet fan-20 fan-10 talk-20 talk-10 reverb all")
    p.add_argument("--per-group", type=int, metavar="N", help="at most N voices of each group (room only)")
    p.add_argument("--kinds", nargs="+", choices=["wake", "direct", "crisis", "request"],
                   default=["wake", "direct", "crisis", "request"],
                   help="which trials to run (room only)")
    p.add_argument("--negative-minutes", type=float, default=0.0, metavar="M",
                   help="minutes of read text for false wakes, shared among the voices, and a TV drama "
                        "played by pairs of them (room only)")
    p.add_argument("--practices", type=int, default=0, metavar="N",
                   help="whole practices with the echo at +10 dB and nobody speaking (talk-over only)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("soak", help="many whole sessions faster than real time, watching memory, threads, files")
    p.add_argument("--sessions", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=200)
    p.set_defaults(func=cmd_soak)



def cmd_bench(args, config) -> int:
    from ..measure.benchmark import run_bench, table

    result = run_bench(config, args.quick)
    print(json.dumps(result) if args.json else table(result))
    return 0


def cmd_eval(args, config) -> int:
    from ..measure.listening import eval_requests, requests_table

    if args.part == "room":
        return _eval_room(args, config)
    if args.part == "talk-over":
        return _eval_talk_over(args, config)
    report = eval_requests(config, args.voices, args.requests)
    print(json.dumps(report) if args.json else requests_table(report))
    return 0


def _eval_room(args, config) -> int:
    from ..measure.in_room import eval_room, room_table

    if args.negative_minutes < 0 or (args.per_group is not None and args.per_group < 1):
        raise UserFacingError("--negative-minutes must be 0 or more and --per-group 1 or more")
    try:
        report, groups = eval_room(config, args.voices, args.conditions, args.negative_minutes, args.per_group,
                                   args.kinds)
    except ValueError as exc:
        raise UserFacingError(str(exc)) from None
    if args.json:
        print(json.dumps({"rows": [[*k, *v] for k, v in report.rows.items()], "negatives": report.negatives,
                          "dramas": report.dramas,
                          "cpu_share": report.cpu_s / max(report.seconds_fed, 1e-9), "groups": groups}))
    else:
        print(room_table(report, groups))
    return 0


def _eval_talk_over(args, config) -> int:
    from ..measure.talk_over import eval_talk_over, talk_over_table

    if args.practices < 0 or (args.per_group is not None and args.per_group < 1):
        raise UserFacingError("--practices must be 0 or more and --per-group 1 or more")
    if args.voices == "held-out":
        raise UserFacingError("talk-over is measured on our own voices only (Piper and espeak-ng)")
    report = eval_talk_over(config, args.per_group, args.practices)
    if args.json:
        print(json.dumps({"rows": [[echo, duplex, *cells] for (echo, duplex), cells in report.rows.items()],
                          "self_practices": report.self_practices, "self_minutes": round(report.self_minutes, 1),
                          "self_triggers": [[n, request, event] for n, request, event in report.self_triggers],
                          "misses": report.misses, "cpu_share": report.cpu_share}))
    else:
        print(talk_over_table(report))
    return 0


def cmd_soak(args, config) -> int:
    from ..measure.soak import run_soak

    if args.sessions < 2 or not 0 <= args.warmup < args.sessions:
        raise UserFacingError("--sessions must be 2 or more, and --warmup from 0 to fewer than --sessions")
    print(json.dumps(run_soak(config, args.sessions, args.warmup).as_json()))
    return 0
