"""The one exception type that crosses module boundaries."""


class ReviewError(Exception):
    """A problem the user can act on: bad input, bad configuration, an unreachable source.

    Only ``cli.py`` catches it; it prints the message on one line and exits with status 2.
    """
