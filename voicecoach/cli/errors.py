"""What a command raises for input the user must fix, and the exit statuses. A leaf: it imports nothing."""

EXIT_INPUT = 1
EXIT_CONFIG = 2


class UserFacingError(Exception):
    """Raised by commands for input the user must fix; printed without a traceback."""
