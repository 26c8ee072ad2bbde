"""Hardware: the one button and the status light, through gpiozero."""
