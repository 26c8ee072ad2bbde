"""Speech: the Piper voice, the phrase cache, and rendering lines to audio."""
