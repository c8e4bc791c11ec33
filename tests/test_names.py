"""File names on one line and back: errors.shown and errors.unshown, for messages and tables."""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st

from analysis.errors import InputError, shown, unshown


@given(st.binary(max_size=64))
def test_any_name_is_one_line_of_utf8_text_that_gives_its_bytes_back(name):
    text = shown(name)
    text.encode("utf-8")  # valid UTF-8: no lone surrogate
    assert "\n" not in text and "\r" not in text
    assert unshown(text) == name


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40))
def test_an_ordinary_name_is_shown_as_it_is(name):
    if "\\" not in name:
        assert shown(name) == name


def test_a_name_in_an_error_is_shown():
    err = InputError(os.fsdecode(b"raw/two\nlines\xff.txt"), "file is\nempty")
    assert str(err) == "raw/two\\nlines\\xff.txt: file is empty"
