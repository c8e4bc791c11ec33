"""The docs stay true: every command, make target, path, link and module they name exists, the
architecture's module list is the package's, the README's Python example runs, and CI runs the
README's test command."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
TEXT = {path: path.read_text(encoding="utf-8") for path in DOCS}
ALL = "\n".join(TEXT.values())
# Paths of the project a doc may name in backticks; generated output (reports/) need not exist.
_PATH = re.compile(r"`((?:analysis|data|notebooks|tests|benchmarks|docs|\.ci)/[^`\s]*)`")


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-zA-Z][a-zA-Z0-9_-]*):", text, flags=re.M))


def test_the_readme_is_short_and_names_the_two_commands():
    text = TEXT[README]
    assert len(text.splitlines()) <= 150
    assert "make run" in text and "make test" in text


def test_every_make_target_the_docs_name_exists():
    mentioned = set(re.findall(r"`make ([a-z][a-z-]*)", ALL)) | set(re.findall(r"^make ([a-z][a-z-]*)", ALL, flags=re.M))
    assert {"run", "test", "test-fast"} <= mentioned
    assert mentioned <= makefile_targets(), mentioned - makefile_targets()


def test_every_command_and_module_the_docs_run_exists():
    commands = set(re.findall(r"python -m analysis ([a-z][a-z-]*)", ALL))
    assert commands and commands <= set(COMMANDS), commands - set(COMMANDS)
    import importlib

    for module in set(re.findall(r"python -m (analysis\.[a-z_.]+)", ALL)):
        importlib.import_module(module)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_path_and_link_in_a_doc_exists(doc):
    missing = []
    for name in _PATH.findall(TEXT[doc]):
        name = name.rstrip(".,:;)")
        if "<" in name:
            name = name[: name.index("<")]  # a placeholder: its folder must exist
        if any(c in name for c in "*?["):
            if not glob.glob(str(ROOT / name), recursive=True):
                missing.append(name)
        elif not (ROOT / name).exists():
            missing.append(name)
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", TEXT[doc]):
        if not (doc.parent / target).exists():
            missing.append(target)
    assert not missing, f"{doc.name} names what does not exist: {missing}"


def test_every_dotted_name_in_the_docs_exists():
    import importlib

    for dotted in set(re.findall(r"`(analysis(?:\.[a-z_]+)+)(?:\(|`)", ALL)):
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)  # AttributeError names what the docs got wrong
            break


def test_the_architecture_lists_every_module_and_only_those():
    text = TEXT[ROOT / "docs" / "ARCHITECTURE.md"]
    listed = set(re.findall(r"^\| `(analysis/[a-z_/]+\.py)` \|", text, flags=re.M))
    actual = {p.relative_to(ROOT).as_posix() for p in (ROOT / "analysis").rglob("*.py")
              if p.name != "__init__.py" or p.parent.name == "analysis"}
    assert listed == actual, {"not listed": sorted(actual - listed), "not modules": sorted(listed - actual)}


def test_the_readme_python_example_runs():
    [example] = re.findall(r"```python\n(.*?)```", TEXT[README], flags=re.S)
    done = subprocess.run([sys.executable, "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_make_help_lists_every_target_with_a_description():
    result = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.splitlines()[1:] if line.strip()}
    assert listed == makefile_targets()


def test_ci_runs_the_readme_test_command():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    lines = [line.strip() for line in ci.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "set -euo pipefail" and lines[-1] == "make test"
    assert "make test" in TEXT[README]
