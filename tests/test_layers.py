"""The package's folders follow the data flow: no stage imports a later one, and importing does nothing.

raw -> extract -> tables -> store -> publish; ``config``, ``errors`` and ``tsv`` serve every stage,
and the entry points (``cli``, the package's ``load`` and ``__main__``) sit on top. Imports inside
functions count too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis"
STAGES = ["raw", "extract", "tables", "store", "publish"]
SHARED = {"config", "errors", "tsv"}
ENTRY = {"cli", "__init__", "__main__"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _layer(module: str) -> int | None:
    """Position in the flow of ``analysis.<part>...``: a stage's index, -1 shared, len(STAGES) for cli."""
    parts = module.split(".")
    if parts[0] != "analysis":
        return None
    head = parts[1] if len(parts) > 1 else "__init__"
    if head in STAGES:
        return STAGES.index(head)
    if head in ENTRY:
        return len(STAGES)
    return -1 if head in SHARED else None


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"{node.module}.{alias.name}" if node.module == "analysis" else node.module
                      for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append("relative")
    return found


def _name(path: Path) -> str:
    return ".".join(("analysis", *path.relative_to(PACKAGE).with_suffix("").parts))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_a_later_stage(path):
    own = _layer(_name(path) if path.parent == PACKAGE else _name(path).replace(".__init__", ""))
    assert own is not None, f"{path} is outside the known stages: add its folder to STAGES"
    for imported in _imports(path):
        assert imported != "relative", f"{path}: use absolute imports (analysis.<stage>.<module>)"
        layer = _layer(imported)
        if layer is None:
            continue  # not ours
        assert layer <= own or own == len(STAGES) or layer == -1, (
            f"{_name(path)} (stage {own}) imports {imported} (stage {layer}): a stage may only use earlier ones")


def test_every_stage_is_a_folder_and_the_shared_modules_are_few():
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert folders == sorted(STAGES)
    loose = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert set(loose) == SHARED | ENTRY


def test_importing_every_module_does_no_work():
    # No file reads, no heavy libraries: a module is definitions only until something is called.
    code = (
        "import importlib, pkgutil, sys, builtins\n"
        "opened = []\n"
        "real = builtins.open\n"
        "builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k)\n"
        "import analysis\n"
        "light = [m.name for m in pkgutil.walk_packages(analysis.__path__, 'analysis.')\n"
        "         if m.name.split('.')[-1] not in ('schemas', 'percapita', 'themes', 'indicators', 'enrich',\n"
        "                                          'context', 'census')]\n"
        "for name in light: importlib.import_module(name)\n"
        "heavy = sorted(m for m in ('pandas', 'pandera', 'matplotlib', 'papermill', 'dask', 'pyarrow', 'pdfplumber',\n"
        "                          'pypdfium2', 'docx', 'openpyxl', 'xlrd', 'trafilatura', 'lxml') if m in sys.modules)\n"
        "print(heavy, opened)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=PACKAGE.parent)
    assert out.stdout.strip() == "[] []"
