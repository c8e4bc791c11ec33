"""The one exception type for user mistakes."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A problem with what the user gave us (a file, a date, a parameter).

    ``str(err)`` is a single line naming the input and the problem, fit to print as is.

    >>> str(InputError("data/raw/x.txt", "file is empty"))
    'data/raw/x.txt: file is empty'
    """

    def __init__(self, where: str | Path, problem: str):
        self.where = str(where)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.where}: {self.problem}")


def internal_error(where: str | Path, err: BaseException) -> InputError:
    """A one-line error for an unexpected failure on one input, so a batch reports it and goes on.

    Unseen inputs must never end in a traceback; the message still says this is our bug, not theirs.
    """
    detail = " ".join(str(err).split())[:200]
    return InputError(where, f"could not extract figures ({type(err).__name__}: {detail}); "
                             "this is a bug in analysis, please report it with this file")
