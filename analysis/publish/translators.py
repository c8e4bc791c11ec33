"""A papermill translator that writes injected strings as readable Chinese.

papermill's default Python translator escapes every non-ASCII character, so an executed
notebook says ``province = "\\u6c5f\\u897f"``. This one writes ``province = "江西"``: printable
characters stay as they are, only quotes, backslashes and control characters are escaped, and
the result is still a valid Python literal.

The batch registers it in each worker. From the shell, run papermill through this module,
which registers it and then hands over to papermill's own command line (same options)::

    python -m analysis.publish.translators notebooks/province_profile.ipynb out.ipynb -p province 江西
"""

from __future__ import annotations

import unicodedata


def _escape(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == '"':
        return '\\"'
    if ch.isprintable() and unicodedata.category(ch) not in ("Zl", "Zp"):
        return ch
    return ch.encode("unicode_escape").decode("ascii")


def python_string_literal(value: str) -> str:
    """A double-quoted Python literal for ``value`` that keeps Chinese readable.

    >>> python_string_literal('江西 "南昌"')
    '"江西 \\\\"南昌\\\\""'
    """
    return '"' + "".join(_escape(ch) for ch in value) + '"'


def _translator_class():
    from papermill.translators import PythonTranslator

    class ReadablePythonTranslator(PythonTranslator):
        """PythonTranslator whose strings (and dict keys, list items) stay readable."""

        @classmethod
        def translate_escaped_str(cls, str_val):
            if isinstance(str_val, str):
                return python_string_literal(str_val)
            return super().translate_escaped_str(str_val)

    return ReadablePythonTranslator


def register() -> type:
    """Register the readable translator for Python kernels in this process; returns the class."""
    from papermill.translators import papermill_translators

    translator = _translator_class()
    papermill_translators.register("python", translator)
    # Looked up by kernel name first, so cover the stock kernelspec name too.
    papermill_translators.register("python3", translator)
    return translator


def main() -> None:
    """papermill's command line with the readable translator registered."""
    register()
    from papermill.cli import papermill

    papermill()


if __name__ == "__main__":
    main()
