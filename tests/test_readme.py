"""The README's commands exist: make targets in the Makefile, CLI commands in the CLI, CI runs the test command."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from analysis.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-zA-Z][a-zA-Z0-9_-]*):", text, flags=re.M))


def test_every_make_target_in_the_readme_exists():
    mentioned = set(re.findall(r"`make ([a-z][a-z-]*)", README)) | set(re.findall(r"^make ([a-z][a-z-]*)", README, flags=re.M))
    assert {"run", "test"} <= mentioned
    assert mentioned <= makefile_targets(), mentioned - makefile_targets()


def test_every_cli_command_in_the_readme_exists():
    mentioned = set(re.findall(r"python -m analysis ([a-z]+)", README))
    assert mentioned and mentioned <= set(COMMANDS), mentioned - set(COMMANDS)


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
    assert "make test" in README
