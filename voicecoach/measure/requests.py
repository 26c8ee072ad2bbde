"""Spoken requests after a wake: heard by the real spotter in request mode (open transcription with the
grammar alongside), understood by the real router. Accuracy per voice, and the time from the end of
speech to the intent. The voice reaches the device through a microphone with its own faint hiss, as in
the room evaluation: a quiet bedroom is never digital silence."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..listen.endpoint import BLOCK, RATE
from ..understand.text import normalize
from .room import MIC_FLOOR_DB
from .voices import Speakers

LEAD_S, TAIL_S = 0.3, 1.5  # the quiet before the person speaks, and after (the endpointer hears the end)

# What people say after "hey coach": a mix of our phrasings and ones the router never saw, and crisis words.
SPOKEN = (
    ("I need a break", "self_compassion_break"), ("everything is too much right now", "self_compassion_break"),
    ("I feel like such a failure", "self_compassion_break"), ("I can't sleep tonight", "self_compassion_break"),
    ("I'm so stressed about work", "self_compassion_break"), ("give me a self hug", "soothing_touch"),
    ("soothing touch", "soothing_touch"), ("the hugging exercise please", "soothing_touch"),
    ("hand on my heart", "soothing_touch"), ("what would I say to a friend", "friend_reframe"),
    ("I keep beating myself up", "friend_reframe"), ("help me write a letter to myself", "compassionate_letter"),
    ("this feels fake", "obstacle"), ("what is self compassion", "about"), ("how do I use this", "help"),
    ("I want to hurt myself", "crisis_support"), ("there's no point in living anymore", "crisis_support"),
    ("I don't want to be alive", "crisis_support"), ("what time is it", "none"), ("never mind", "stop"),
)
# Written on 2026-11-29, after the open decode's beams and runners-up were chosen on SPOKEN in our own
# voices, and before it was run in any voice: none of it is among the router's examples.
FRESH = (
    ("can we do a break together", "self_compassion_break"), ("today has been really rough", "self_compassion_break"),
    ("nothing I do is good enough", "self_compassion_break"), ("I made a mess of things again", "self_compassion_break"),
    ("guide me through a self hug", "soothing_touch"), ("the one with my hands on my cheeks", "soothing_touch"),
    ("how would I talk to a friend about this", "friend_reframe"),
    ("what would I tell a friend in my place", "friend_reframe"),
    ("I'd like to do the letter writing", "compassionate_letter"), ("this doesn't work for me", "obstacle"),
    ("isn't this just selfish", "obstacle"), ("why is self kindness important", "about"),
    ("what should I say to you", "help"), ("I keep thinking about ending my life", "crisis_support"),
    ("I've been planning to kill myself", "crisis_support"),
    ("I don't see a reason to keep going", "crisis_support"), ("cancel that", "stop"), ("forget it", "stop"),
    ("turn on the radio", "none"), ("is it going to rain", "none"),
)
# Written on 2026-12-01, before it was run in any voice and after every change to the router and the request
# language model so far: none of it is among the router's examples or the text sets in tests/data.
FRESH_2 = (
    ("I've had an awful week", "self_compassion_break"), ("I just feel so empty tonight", "self_compassion_break"),
    ("I'm cross with myself for forgetting", "self_compassion_break"),
    ("work is getting on top of me", "self_compassion_break"), ("can I have a hug", "soothing_touch"),
    ("I want a gentle touch exercise", "soothing_touch"),
    ("help me see this the way a friend would", "friend_reframe"),
    ("what would my friend say about this mess", "friend_reframe"),
    ("I want to write down some kind words", "compassionate_letter"),
    ("can we do a letter to myself", "compassionate_letter"),
    ("I don't think I can be kind to myself", "obstacle"), ("this all feels a bit silly to me", "obstacle"),
    ("explain self kindness to me", "about"), ("what kinds of things can I ask", "help"),
    ("I wish I could just disappear forever", "crisis_support"),
    ("I've got pills saved up to end it", "crisis_support"),
    ("my family would be better off if I wasn't here", "crisis_support"),
    ("that's it for tonight thank you", "stop"), ("I'd rather stop there", "stop"),
    ("did I leave the oven on", "none"),
)
# Written on 2026-12-01 (twenty-first session), before it was run in any voice, after a change chosen partly on
# what the held-out voices made of FRESH and FRESH_2 (so those are no longer independent for it): none of it is
# among the router's examples or the text sets in tests/data.
FRESH_3 = (
    ("I'm worn out from looking after everyone", "self_compassion_break"),
    ("I've botched it all up again", "self_compassion_break"), ("my mind won't settle tonight", "self_compassion_break"),
    ("could you help me calm down", "self_compassion_break"), ("I'd like to hold myself for a bit", "soothing_touch"),
    ("the exercise with the hand on the chest", "soothing_touch"),
    ("let's imagine a friend in my shoes", "friend_reframe"), ("talk to me like I'm my own friend", "friend_reframe"),
    ("I'd like to write a kind note to myself", "compassionate_letter"),
    ("I'm not good at this kind stuff", "obstacle"), ("being nice to myself feels wrong", "obstacle"),
    ("where did this way of thinking start", "about"), ("what are you able to do", "help"),
    ("I don't want to wake up tomorrow", "crisis_support"),
    ("I've thought about swallowing every tablet I own", "crisis_support"),
    ("everyone would be happier without me", "crisis_support"), ("okay that's enough", "stop"),
    ("that'll do for now", "stop"), ("put the football on", "none"), ("how far away is the moon", "none"),
)
# Written on 2026-12-01 (twenty-second session), before it was run in any voice and before the changes it
# measures: none of it is among the router's examples or the text sets in tests/data.
FRESH_4 = (
    ("I snapped at my kids and I feel terrible", "self_compassion_break"),
    ("I'm so tired of getting things wrong", "self_compassion_break"),
    ("it's been one of those days", "self_compassion_break"), ("I need to calm myself", "self_compassion_break"),
    ("can you walk me through a hug", "soothing_touch"), ("my hands on my face please", "soothing_touch"),
    ("how would a good friend see it", "friend_reframe"),
    ("remind me what I'd say to someone I love", "friend_reframe"),
    ("help me put some gentle words on paper", "compassionate_letter"),
    ("I'm not sure I deserve kindness", "obstacle"), ("isn't this a bit soft", "obstacle"),
    ("who came up with this idea", "about"), ("what can I say to you", "help"),
    ("I want to end my life", "crisis_support"), ("I've been cutting my arms again", "crisis_support"),
    ("nobody would miss me if I was gone", "crisis_support"), ("that's plenty for now", "stop"),
    ("no thanks not now", "stop"), ("what's the weather tomorrow", "none"), ("play some jazz", "none"),
)
# Written on 2026-12-01 (twenty-third session), after the router change of 77a1bfb (reverted later) and before it
# was run in any voice or routed as text: none of it is among the router's examples or the text sets in tests/data.
FRESH_5 = (
    ("I'm in bits tonight", "self_compassion_break"), ("it's all piling up on me", "self_compassion_break"),
    ("I feel like I let my mum down", "self_compassion_break"),
    ("can I have a few minutes of calm", "self_compassion_break"),
    ("talk me through the hand on my heart one", "soothing_touch"),
    ("I'd like to give myself a squeeze", "soothing_touch"),
    ("what would my oldest friend tell me", "friend_reframe"),
    ("help me be as kind to myself as I am to others", "friend_reframe"),
    ("I want to write myself a little note", "compassionate_letter"),
    ("it feels fake saying nice things to myself", "obstacle"), ("surely I should be tougher on myself", "obstacle"),
    ("where did these exercises come from", "about"), ("how do I tell you what I want", "help"),
    ("I don't see any reason to stay alive", "crisis_support"),
    ("I've been saving up my tablets to end it", "crisis_support"),
    ("I keep thinking everyone would be better off without me", "crisis_support"),
    ("okay that'll do", "stop"), ("we can call it a night", "stop"), ("is it going to rain later", "none"),
    ("what time does the chemist open", "none"),
)
# Written on 2026-12-01 (twenty-fifth session), before it was routed as text or run in any voice, and after the
# last change to the router and its examples (9ef9f0a): an independent check of spoken understanding.
FRESH_6 = (
    ("I've had a horrible day and I can't shake it", "self_compassion_break"),
    ("I keep beating myself up about it", "self_compassion_break"),
    ("I just feel so low right now", "self_compassion_break"),
    ("can we do the break thing", "self_compassion_break"),
    ("let's do the one with my hand on my chest", "soothing_touch"), ("a hug for myself please", "soothing_touch"),
    ("how would I talk to a friend who felt like this", "friend_reframe"),
    ("what would I tell my sister if it were her", "friend_reframe"),
    ("I'd like to write a kind letter to myself", "compassionate_letter"),
    ("being kind to myself feels selfish", "obstacle"), ("I don't think this will work for me", "obstacle"),
    ("who made you", "about"), ("what are my options", "help"),
    ("I don't want to be here anymore", "crisis_support"), ("I've thought about how I'd kill myself", "crisis_support"),
    ("I can't keep going like this I want it all to end", "crisis_support"),
    ("that's enough thank you", "stop"), ("let's stop there", "stop"), ("set an alarm for seven", "none"),
    ("what's on telly tonight", "none"),
)
# Written on 2026-12-02 (twenty-eighth session), before any change that session and before it was routed as
# text or run in any voice: an independent check of spoken understanding.
FRESH_7 = (
    ("I shouted at my partner and I hate myself for it", "self_compassion_break"),
    ("I'm barely holding it together", "self_compassion_break"),
    ("I need a few minutes to breathe", "self_compassion_break"),
    ("I keep making silly mistakes", "self_compassion_break"),
    ("can I do the self hug one", "soothing_touch"), ("the arms around me exercise", "soothing_touch"),
    ("what would a friend say to me right now", "friend_reframe"),
    ("imagine my friend was going through this", "friend_reframe"),
    ("could we write a caring letter together", "compassionate_letter"),
    ("I'm not the kind of person who does this stuff", "obstacle"),
    ("what's the point of being nice to myself", "obstacle"), ("what is this practice based on", "about"),
    ("what jobs can you do for me", "help"), ("I want to kill myself tonight", "crisis_support"),
    ("I can't face another day of living", "crisis_support"),
    ("I've written a note saying goodbye", "crisis_support"), ("I've heard enough for tonight", "stop"),
    ("that's all for now", "stop"), ("remind me to call the dentist", "none"), ("who won the match", "none"),
)
# Written on 2026-12-02 (twenty-ninth session), before any change that session and before it was routed as
# text or run in any voice: an independent check of spoken understanding.
FRESH_8 = (
    ("my whole week has gone wrong and I feel useless", "self_compassion_break"),
    ("I'm so cross with myself for forgetting", "self_compassion_break"),
    ("I could do with some kindness tonight", "self_compassion_break"),
    ("I'm really struggling to be okay", "self_compassion_break"),
    ("let me try the hug practice", "soothing_touch"), ("I want to hold my own face", "soothing_touch"),
    ("help me see it the way my friend would", "friend_reframe"),
    ("what advice would I give a friend like me", "friend_reframe"),
    ("can we put some kind words on paper", "compassionate_letter"),
    ("I'm too busy for this kind of thing", "obstacle"), ("does going easy on myself make me weak", "obstacle"),
    ("where does this come from", "about"), ("what am I supposed to say", "help"),
    ("I've decided to end my life", "crisis_support"), ("nobody would notice if I was gone", "crisis_support"),
    ("I keep hurting myself on purpose", "crisis_support"),
    ("no more for tonight thanks", "stop"), ("I think I'll leave it there", "stop"),
    ("what's the date today", "none"), ("can you order a taxi", "none"),
)
# Written on 2026-12-02 (thirtieth session), before any change that session and before it was routed as
# text or run in any voice: an independent check of spoken understanding.
FRESH_9 = (
    ("I feel like I've let everyone down today", "self_compassion_break"),
    ("I'm being really hard on myself again", "self_compassion_break"),
    ("can you help me calm down a bit", "self_compassion_break"),
    ("today was awful and I can't stop crying", "self_compassion_break"),
    ("I'd like the hand on my heart one", "soothing_touch"), ("something to comfort me with touch", "soothing_touch"),
    ("how would I talk to a friend who felt this way", "friend_reframe"),
    ("let's think about what I'd tell my best friend", "friend_reframe"),
    ("I want to write a gentle message to the part of me that hurts", "compassionate_letter"),
    ("this feels a bit silly to me", "obstacle"), ("won't I just get lazy if I'm kind to myself", "obstacle"),
    ("what's the idea behind all this", "about"), ("what kinds of things can I ask you", "help"),
    ("part of me just wants to stop existing", "crisis_support"),
    ("I've been thinking about taking my own life", "crisis_support"),
    ("I feel like everyone would be better off without me", "crisis_support"),
    ("okay we can wrap up now", "stop"), ("I'd like to finish now", "stop"),
    ("turn the lights off", "none"), ("how tall is mount everest", "none"),
)
# Written on 2026-12-02 (thirty-first session), before any change that session and before it was routed as
# text or run in any voice: an independent check of spoken understanding.
FRESH_10 = (
    ("I made a mess of things at work and I keep going over it", "self_compassion_break"),
    ("I'm so embarrassed about how I acted earlier", "self_compassion_break"),
    ("life feels like too much this week", "self_compassion_break"),
    ("I need some comfort, I've had a rotten day", "self_compassion_break"),
    ("can I wrap myself in a hug", "soothing_touch"), ("a calming touch practice please", "soothing_touch"),
    ("what would a good friend say to me now", "friend_reframe"),
    ("how might someone who loves me see my situation", "friend_reframe"),
    ("help me write something loving to myself", "compassionate_letter"),
    ("I don't feel I'm good enough for kindness", "obstacle"),
    ("what's the point of being soft on myself", "obstacle"),
    ("where did you learn these practices", "about"), ("what sort of things do you do", "help"),
    ("there's no point in me being here any more", "crisis_support"),
    ("I've got tablets hidden away and I'm going to take them", "crisis_support"),
    ("I don't think I'll still be here next week", "crisis_support"),
    ("alright I'm done for tonight", "stop"), ("let's leave it for today", "stop"),
    ("remind me to take my medicine at nine", "none"), ("what's the weather like tomorrow", "none"),
)
# For choosing how much general English the request language model holds, in our own voices only: requests
# in words our phrasings do not use (FRESH and FRESH_2 are not to be tuned on).
DEV = (
    ("I feel awful about what I said to my sister", "self_compassion_break"),
    ("my chest feels tight and I'm scared", "self_compassion_break"),
    ("I failed my driving test again", "self_compassion_break"),
    ("I can't stop worrying about money", "self_compassion_break"),
    ("everyone is annoyed with me", "self_compassion_break"), ("rest my hand on my chest", "soothing_touch"),
    ("wrap my arms around myself", "soothing_touch"), ("something gentle for my body", "soothing_touch"),
    ("pretend I'm comforting a friend", "friend_reframe"), ("how would my best mate see this", "friend_reframe"),
    ("write me a note of encouragement", "compassionate_letter"),
    ("I want to put my feelings on paper", "compassionate_letter"), ("this seems a bit cheesy", "obstacle"),
    ("I don't really believe any of this", "obstacle"), ("where does this idea come from", "about"),
    ("remind me what I can ask", "help"), ("I feel like ending everything", "crisis_support"),
    ("I might take all my pills tonight", "crisis_support"),
    ("nobody would miss me if I was gone", "crisis_support"), ("put the kettle on", "none"),
    ("what's the news today", "none"),
)
REQUEST_SETS = {"first": SPOKEN, "fresh": FRESH, "fresh-2": FRESH_2, "fresh-3": FRESH_3, "fresh-4": FRESH_4,
                "fresh-5": FRESH_5, "fresh-6": FRESH_6, "fresh-7": FRESH_7,
                "fresh-8": FRESH_8, "fresh-9": FRESH_9, "fresh-10": FRESH_10, "dev": DEV}


STRATEGIES = ("every", "open", "grammar")


@dataclass
class RequestResult:
    voice: str
    text: str
    expected: str
    heard: tuple[str, str] = ("", "")  # open transcript, grammar transcript
    runners_up: tuple[str, ...] = ()  # the open decode's other readings
    grammar_heard: bool = False  # did the grammar's transcript agree enough with the open readings to count
    got: dict = field(default_factory=dict)  # strategy -> intent
    ms_after_speech: float = 0.0

    def right(self, strategy: str = "every") -> bool:
        return self.got.get(strategy) == self.expected


@dataclass
class RequestReport:
    results: list[RequestResult] = field(default_factory=list)

    def accuracy(self, voices=None, strategy: str = "every") -> float:
        rows = [r for r in self.results if voices is None or r.voice in voices]
        return sum(r.right(strategy) for r in rows) / len(rows) if rows else 0.0

    def latency_ms(self) -> dict:
        values = [r.ms_after_speech for r in self.results]
        return {"p50": round(float(np.percentile(values, 50)), 1), "p95": round(float(np.percentile(values, 95)), 1)}


def outcome(intent) -> str:
    """What the device does with a request: small talk ("never mind") ends it quietly, as "stop" does."""
    return "stop" if intent.small_talk else intent.name


def evaluate_requests(spotter, router, voices: list[str], allowed, speakers: Speakers | None = None,
                      spoken=SPOKEN) -> RequestReport:
    speakers = speakers or Speakers()
    report = RequestReport()
    hiss = np.random.default_rng(0)
    for voice in voices:
        for text, expected in spoken:
            pcm = through_microphone(speakers.say(voice, text), hiss)
            report.results.append(_one(spotter, router, pcm, voice, text, expected, allowed))
    return report


def through_microphone(speech: np.ndarray, hiss: np.random.Generator) -> np.ndarray:
    """What the microphone gives: a moment of the quiet room, the person, the quiet room again; its own
    hiss under all of it. Synthetic voices fall to exact zeros between words, which no microphone gives and
    which PocketSphinx's cepstral mean mishears (docs/PERFORMANCE.md, "Digital silence")."""
    audio = np.concatenate([np.zeros(int(LEAD_S * RATE)), speech, np.zeros(int(TAIL_S * RATE))])
    audio = audio + hiss.normal(0.0, 10 ** (MIC_FLOOR_DB / 20), len(audio))
    return (np.clip(audio, -1, 1) * 32767).astype(np.int16)


def _one(spotter, router, pcm: np.ndarray, voice: str, text: str, expected: str, allowed) -> RequestResult:
    speech_end = len(pcm) - int(TAIL_S * RATE)
    spotter.set_mode("request")
    began = spotter.now
    result = RequestResult(voice, text, expected)
    spent, heard = 0.0, None
    for i in range(0, len(pcm) - BLOCK + 1, BLOCK):
        t0 = time.perf_counter()
        found = spotter.feed(pcm[i:i + BLOCK])
        if i + BLOCK > speech_end:
            spent += time.perf_counter() - t0
        if found:
            heard = found[0]
            break
    if heard is None:
        return result
    t0 = time.perf_counter()
    result.got["every"] = outcome(router.understand(heard.transcripts, allowed, heard.runners_up, request=True)[0])
    spent += time.perf_counter() - t0
    result.heard = (heard.text, normalize(spotter.transcriber.heard[1]))  # the grammar's, heard or not
    result.runners_up, result.grammar_heard = heard.runners_up, bool(heard.alternatives)
    result.got["open"] = outcome(router.route(result.heard[0], allowed))
    result.got["grammar"] = outcome(router.route(result.heard[1], allowed))
    # the silence the endpointer waited for (in real time), and the computing done after speech ended
    waited = max(0.0, heard.end - began - speech_end / RATE)
    result.ms_after_speech = round((waited + spent) * 1000, 1)
    return result
