"""Practices: data files of steps, and the player that voices them."""
