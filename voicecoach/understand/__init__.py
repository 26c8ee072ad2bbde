"""Intents: what a transcript asks for."""
