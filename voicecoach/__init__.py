"""voicecoach: an offline bedside voice companion for self-compassion practices."""

__version__ = "0.1.0"
