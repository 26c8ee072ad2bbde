"""Audio: capture, playback, resampling, earcons and WAV files."""
