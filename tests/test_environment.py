"""environment.yml (for conda users) must agree with pyproject.toml, the single source of dependencies.

There is no conda on our machines, so this checks the file as data: its shape, that pip is listed
when a pip block exists, that every requirement parses, and that no dependency is missing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_KEYS = {"name", "channels", "dependencies", "variables", "prefix"}
# A conda match spec as we write them: a name, optionally one version constraint.
CONDA_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<version>(?:[<>=!~]=?|==)\s*[0-9][0-9A-Za-z.*]*)?$")


@pytest.fixture(scope="module")
def env():
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def split(env):
    conda, pip = [], []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            assert set(entry) == {"pip"}, f"only a pip: block may be a mapping, got {entry}"
            pip.extend(entry["pip"])
        else:
            conda.append(entry)
    return conda, pip


def conda_names(conda):
    names = set()
    for spec in conda:
        match = CONDA_SPEC.match(str(spec))
        assert match, f"not a simple conda spec: {spec!r}"
        names.add(canonicalize_name(match["name"]))
    return names


def test_top_level_keys_are_known(env):
    assert isinstance(env, dict)
    assert set(env) <= ALLOWED_KEYS, set(env) - ALLOWED_KEYS
    assert env["name"] and isinstance(env["name"], str)
    assert env["channels"] == ["conda-forge"]


def test_pip_is_listed_when_there_is_a_pip_block(env):
    conda, pip = split(env)
    if pip:
        assert "pip" in conda_names(conda)


def test_python_version_matches_requires_python(env, project):
    conda, _ = split(env)
    pythons = [s for s in conda if CONDA_SPEC.match(s)["name"] == "python"]
    assert len(pythons) == 1
    floor = re.search(r">=\s*([0-9.]+)", project["requires-python"]).group(1)
    assert pythons[0].replace(" ", "") == f"python>={floor}"


def test_pip_entries_parse_and_install_the_project_with_dev(env):
    _, pip = split(env)
    editable = [e for e in pip if e.startswith("-e ")]
    assert editable == ["-e .[dev]"]
    for entry in pip:
        if not entry.startswith("-e "):
            Requirement(entry)  # raises InvalidRequirement if malformed


def test_every_pyproject_dependency_appears(env, project):
    conda, pip = split(env)
    present = conda_names(conda) | {canonicalize_name(Requirement(e).name) for e in pip if not e.startswith("-e ")}
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    missing = []
    for req in wanted:
        names = {canonicalize_name(req.name)}
        # dask[distributed] is packaged on conda-forge as dask + distributed.
        names |= {canonicalize_name(extra) for extra in req.extras if req.name == "dask"}
        missing += sorted(names - present)
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"


def test_no_dependency_in_environment_that_pyproject_lacks(env, project):
    conda, pip = split(env)
    declared = {canonicalize_name(Requirement(r).name) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    declared |= {"python", "pip", "distributed"}
    present = conda_names(conda) | {canonicalize_name(Requirement(e).name) for e in pip if not e.startswith("-e ")}
    assert present - declared == set()


def test_version_floors_agree(env, project):
    conda, pip = split(env)
    floors = {}
    for spec in conda:
        match = CONDA_SPEC.match(spec)
        if match["version"]:
            floors[canonicalize_name(match["name"])] = match["version"].replace(" ", "")
    for entry in pip:
        if not entry.startswith("-e "):
            req = Requirement(entry)
            floors[canonicalize_name(req.name)] = str(req.specifier)
    for raw in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(raw)
        if str(req.specifier):
            assert floors.get(canonicalize_name(req.name)) == str(req.specifier), req.name


def test_package_data_covers_the_lexicon(project):
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)["tool"]["setuptools"]["package-data"]["analysis"]
    assert "lexicon/*.tsv" in data
    assert project["scripts"]["analysis"] == "analysis.cli:main"
