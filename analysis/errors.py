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
