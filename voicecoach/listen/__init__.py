"""Listening: endpointing, the spotter, and the recognition engines behind one interface."""
