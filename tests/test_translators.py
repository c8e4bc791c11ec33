"""Injected parameters read as Chinese and stay valid Python."""

import ast

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.publish.translators import python_string_literal, register


@pytest.fixture
def translator():
    from papermill.translators import papermill_translators

    before = dict(papermill_translators._translators)
    translator = register()
    assert papermill_translators.find_translator("python3", "python") is translator
    yield translator
    papermill_translators._translators.clear()
    papermill_translators._translators.update(before)


def test_strings_lists_and_dicts_stay_readable(translator):
    code = translator.codify({"province": "江西", "provinces": ["吉林", "福建"], "labels": {"主题": "就业"}, "n": 3})
    assert 'province = "江西"' in code
    assert 'provinces = ["吉林", "福建"]' in code
    assert 'labels = {"主题": "就业"}' in code
    assert "\\u" not in code
    namespace = {}
    exec(code, namespace)
    assert namespace["provinces"] == ["吉林", "福建"]


def test_quotes_backslashes_and_controls_are_escaped():
    assert python_string_literal('他说"好"') == '"他说\\"好\\""'
    assert python_string_literal("a\\b") == '"a\\\\b"'
    assert python_string_literal("一\n二") == '"一\\n二"'


@given(st.text())
def test_literal_round_trips_any_text(text):
    assert ast.literal_eval(python_string_literal(text)) == text


def test_papermill_injects_the_readable_literal(translator):
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.v4.new_notebook(metadata={"papermill": {}, "kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    cell = nbformat.v4.new_code_cell('province: str = ""  # a province')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    out = parameterize_notebook(nb, {"province": "江西"})
    injected = [c for c in out.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'province = "江西"' in injected[0].source


def test_default_papermill_translator_escapes():
    """Guards the test above: without ours, papermill writes \\u escapes."""
    from papermill.translators import PythonTranslator

    assert PythonTranslator.translate("江西") == '"\\u6c5f\\u897f"'


@pytest.mark.slow
def test_command_line_wrapper_is_papermill_with_the_translator(tmp_path):
    """`python -m analysis.publish.translators` takes papermill's options; injected strings stay Chinese."""
    import os
    import subprocess
    import sys

    from analysis import config

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    cell = nbformat.v4.new_code_cell('province: str = ""  # a province')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    source, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    result = subprocess.run(
        [sys.executable, "-m", "analysis.publish.translators", str(source), str(out), "-p", "province", "江西",
         "--prepare-only"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(config.ROOT)}, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    injected = [c for c in nbformat.read(out, as_version=4).cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'province = "江西"' in injected[0].source
