"""Find a font with Chinese glyphs for matplotlib, without installing anything.

Call :func:`use_cjk_font` explicitly (notebooks do it in their first cell after the checks);
nothing happens at import. The font is registered in this process only
(``fontManager.addfont``): nothing is written to site-packages, rc files or the font cache.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from analysis.errors import InputError

ENV_VAR = "ANALYSIS_CJK_FONT"
# Families matplotlib may already know (installed system-wide before its cache was built).
KNOWN_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
# The PyPI package that bundles Noto Sans CJK (all faces in one .ttc); it is a project dependency.
BUNDLE_PACKAGE = "noto_cjk_sans_otc"
BUNDLE_FILE = "NotoSansCJK-Regular.ttc"
SYSTEM_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
# Latin text keeps matplotlib's default; CJK glyphs fall back to the found font (matplotlib >= 3.6).
LATIN_FAMILY = "DejaVu Sans"
FIX = (
    f"install the project's dependencies (pip install noto-cjk-sans-otc), "
    f"or `apt-get install fonts-wqy-microhei`, or set {ENV_VAR}=/path/to/a/CJK/font.ttf"
)


def _bundled_font() -> Path | None:
    from importlib import resources

    try:
        path = resources.files(BUNDLE_PACKAGE) / BUNDLE_FILE
    except ModuleNotFoundError:
        return None
    return Path(str(path)) if path.is_file() else None


def _family_in(path: Path) -> str:
    """The Simplified-Chinese family of a font file; for a collection, its SC face."""
    from matplotlib import font_manager as fm

    fm.fontManager.addfont(str(path))
    names = [f.name for f in fm.fontManager.ttflist if Path(f.fname) == path]
    for preferred in KNOWN_FAMILIES:
        if preferred in names:
            return preferred
    for name in names:
        if name.endswith(" SC") and "Mono" not in name:
            return name
    return names[0] if names else fm.FontProperties(fname=str(path)).get_name()


def find_cjk_font() -> tuple[str, str]:
    """``(family, where)`` of the first CJK font found, registering it with matplotlib.

    Order: ``$ANALYSIS_CJK_FONT`` (a file), a family matplotlib already knows, the bundled
    Noto Sans CJK from the ``noto-cjk-sans-otc`` package, then common system paths.
    Raises ``InputError`` naming the fix when there is none.
    """
    from matplotlib import font_manager as fm

    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise InputError(ENV_VAR, f"{override} is not a font file; unset it or point it at a .ttf/.otf/.ttc")
        return _family_in(path.resolve()), str(path)
    known = {f.name for f in fm.fontManager.ttflist}
    for family in KNOWN_FAMILIES:
        if family in known:
            return family, "matplotlib font list"
    bundled = _bundled_font()
    if bundled is not None:
        return _family_in(bundled), str(bundled)
    for candidate in SYSTEM_PATHS:
        path = Path(candidate)
        if path.is_file():
            return _family_in(path), str(path)
    raise InputError("fonts", f"no font with Chinese characters found; {FIX}")


def cjk_font_file() -> tuple[Path, int]:
    """``(file, face)`` of the font the report pages embed: the same font the charts use when it
    is a file (``$ANALYSIS_CJK_FONT``, else the bundled Noto Sans CJK, else a system path), and in
    a collection the Simplified-Chinese face (face 2, "Noto Sans CJK SC", of the bundled one).

    A family matplotlib knows only by name has no file to cut a web font from, so this looks for
    files directly. Raises ``InputError`` naming the fix when there is none.
    """
    override = os.environ.get(ENV_VAR, "").strip()
    candidates = [Path(override).expanduser()] if override else []
    bundled = _bundled_font()
    candidates += ([bundled] if bundled is not None else []) + [Path(p) for p in SYSTEM_PATHS]
    for path in candidates:
        if path.is_file():
            return path, _sc_face(str(path))
    if override:
        raise InputError(ENV_VAR, f"{override} is not a font file; unset it or point it at a .ttf/.otf/.ttc")
    raise InputError("fonts", f"no font with Chinese characters found; {FIX}")


@functools.cache
def _sc_face(path: str) -> int:
    """The index of the Simplified-Chinese, proportional face of a font file (0 if not a collection)."""
    from fontTools.ttLib import TTCollection

    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    collection = TTCollection(path, lazy=True)
    names = [str(face["name"].getDebugName(1) or "") for face in collection.fonts]
    for preferred in KNOWN_FAMILIES:
        if preferred in names:
            return names.index(preferred)
    return next((i for i, n in enumerate(names) if n.endswith(" SC") and "Mono" not in n), 0)


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese: returns the CJK family now used after DejaVu Sans.

    >>> use_cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    import matplotlib as mpl

    family, _ = find_cjk_font()
    mpl.rcParams["font.family"] = [LATIN_FAMILY, family]
    return family
