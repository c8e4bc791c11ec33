"""A CJK font is found without installing anything, or the error names the fix."""

import io
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

from analysis.errors import InputError  # noqa: E402
from analysis.publish import fonts  # noqa: E402


def _render_chinese() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title("湖南 新增就业近45万人 ≈ > <")
    ax.set_xlabel("累计投入超32亿元")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from font")
        fig.savefig(io.BytesIO(), format="png")
        fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)


def test_use_cjk_font_draws_chinese_without_missing_glyphs(monkeypatch):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    family = fonts.use_cjk_font()
    assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", family]
    _render_chinese()


def test_without_a_cjk_font_rendering_would_warn():
    """Guards the test above: the default font really lacks Chinese glyphs."""
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("湖南")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)


def test_bundled_collection_gives_the_simplified_chinese_face():
    path = fonts._bundled_font()
    if path is None:
        pytest.skip("noto-cjk-sans-otc is not installed")
    assert fonts._family_in(path) == "Noto Sans CJK SC"


def test_env_var_names_the_font_file(monkeypatch):
    path = fonts._bundled_font()
    if path is None:
        pytest.skip("noto-cjk-sans-otc is not installed")
    monkeypatch.setenv(fonts.ENV_VAR, str(path))
    assert fonts.find_cjk_font() == ("Noto Sans CJK SC", str(path))


def test_env_var_pointing_nowhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "nothing.ttf"))
    with pytest.raises(InputError, match=f"^{fonts.ENV_VAR}: .*nothing.ttf is not a font file"):
        fonts.find_cjk_font()


def test_no_font_anywhere_names_the_fix(monkeypatch):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setattr(fonts, "KNOWN_FAMILIES", ())
    monkeypatch.setattr(fonts, "_bundled_font", lambda: None)
    monkeypatch.setattr(fonts, "SYSTEM_PATHS", ())
    with pytest.raises(InputError) as err:
        fonts.find_cjk_font()
    assert "no font with Chinese characters found" in str(err.value)
    assert "pip install noto-cjk-sans-otc" in str(err.value)
    assert "fonts-wqy-microhei" in str(err.value)


def test_importing_the_module_changes_nothing():
    import importlib

    before = list(matplotlib.rcParams["font.family"])
    importlib.reload(fonts)
    assert matplotlib.rcParams["font.family"] == before
