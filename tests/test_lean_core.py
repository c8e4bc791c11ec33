"""The core's named shortcuts give what the plain way gives (issue 20's leaner paths).

Each shortcut stands in for a plainer computation kept beside it or written here: each test holds
one to the other on the sentences of the seed and the genre set, and on arbitrary text.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analysis.extract.places import LineStarts


@given(st.text(alphabet="ab\n吉林", max_size=60), st.lists(st.integers(0, 70), max_size=12))
def test_line_starts_are_rfind_s_for_growing_and_other_positions(text, positions):
    lines = LineStarts(text)
    for position in sorted(positions) + positions:  # growing first, then in any order
        position = min(position, len(text))
        assert lines.start(position) == text.rfind("\n", 0, position) + 1
