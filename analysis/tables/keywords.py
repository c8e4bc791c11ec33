"""Every keyword of a vocabulary found in a text in one scan: ``Keywords.found`` and ``Keywords.at``.

Themes and indicator rules ask, for each figure, which of a few hundred words occur in three short
texts. Asking ``word in text`` word by word costs a Python call per word and text; this compiles
the vocabulary into one regular expression and scans the text once. The expression is a look-ahead
alternation, longest word first, tried at every position: it reports the longest word starting
there, and every shorter word starting there is a prefix of it, so the words that are prefixes of
another word are added from a table. That gives every occurrence, overlapping ones included,
exactly what ``str.find`` word by word gives (``tests/test_fast_paths.py`` checks it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class Keywords:
    """A vocabulary compiled for finding all of its words in a text."""

    def __init__(self, words: Iterable[str]):
        self.words = tuple(dict.fromkeys(w for w in words if w))
        by_length = sorted(self.words, key=lambda w: (-len(w), w))
        self._scan = re.compile("(?=(" + "|".join(map(re.escape, by_length)) + "))") if self.words else None
        # word -> the words that are prefixes of it (itself included), longest first
        self._prefixes = {w: tuple(p for p in by_length if w.startswith(p)) for w in self.words}

    def at(self, text: str) -> list[tuple[int, str]]:
        """Every occurrence ``(start, word)``, by start, longer words first at the same start.

        >>> Keywords(["养老", "养老服务", "服务"]).at("社区养老服务站")
        [(2, '养老服务'), (2, '养老'), (4, '服务')]
        """
        if self._scan is None or not text:
            return []
        prefixes = self._prefixes
        return [(m.start(), word) for m in self._scan.finditer(text) for word in prefixes[m.group(1)]]

    def found(self, text: str) -> set[str]:
        """The words that occur in ``text``: ``{w for w in words if w in text}``.

        >>> sorted(Keywords(["就业", "岗位", "养老"]).found("新增就业岗位"))
        ['就业', '岗位']
        """
        if self._scan is None or not text:
            return set()
        prefixes = self._prefixes
        out: set[str] = set()
        for m in self._scan.finditer(text):
            out.update(prefixes[m.group(1)])
        return out
