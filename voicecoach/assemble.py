"""Building a whole session from config, for `run`, `simulate` and `bench`."""
from __future__ import annotations

from .app import build_coaching
from .audio.playback import Speaker
from .coach import Coach
from .understand.router import Router
from .listen.engines import choose_engine
from .listen.frontend import front_end
from .listen.spotter import Spotter
from .session import Session


def build_spotter(config, router: Router, engine=None) -> Spotter:
    asr = config.asr
    return Spotter(engine or choose_engine(config), router, asr.wake_phrases, spot_silence=asr.spot_silence,
                   request_silence=asr.end_silence, max_request=asr.max_request, front=front_end(asr.front_end),
                   continuous=asr.continuous)


def build_session(config, out_rate: int, light, report, engine=None, voice=None, seed=None,
                  night=None) -> Session:
    coaching = build_coaching(config, out_rate=out_rate, seed=seed, voice=voice)
    coaching.night_override = night
    router = Router()
    spotter = build_spotter(config, router, engine)
    speaker = Speaker(out_rate, coaching.delivery().volume)
    return Session(coaching, spotter, router, Coach(), speaker, light, report)


def apply_config(session: Session, config) -> None:
    """New settings in a running session: delivery, crisis line and brightness at once; new wake phrases
    and silences through a new spotter on the same engine. Devices, pins and models need a restart."""
    old = session.coaching.config
    session.coaching.config = config
    if config.asr != old.asr:
        spotter = build_spotter(config, session.router, session.spotter.engine)
        spotter.clock = session.spotter.clock
        spotter.set_mode(session.spotter.mode)
        session.attach(spotter)
    if session.speaker.player is None or session.speaker.player.finished:
        session.speaker.set_volume(session.coaching.delivery().volume)
