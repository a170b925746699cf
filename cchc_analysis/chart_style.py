"""The look shared by every chart: theme, fixed colours and hatches, number formatters,
short unit names and the small drawing helpers (split from :mod:`cchc_analysis.charts`)."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from typing import Any

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from . import fmt, refdata
from .labels import LEVEL_LABELS

FONT = "DejaVu Sans"  # has every Vietnamese letter; bundled with matplotlib, so always there
#: Fixed salt: SVG element ids are then identical from one run to the next.
SVG_HASHSALT = "cchc-analysis"
#: (colour, hatch) of bars that meet / miss their target. Dark vs light grey-blue survives
#: black-and-white print; the hatch marks "below target" even when printed as one grey.
MEETS_STYLE = ("#2b5c8a", "")
BELOW_STYLE = ("#d9a89a", "///")
#: (colour, hatch) per level of the deciding authority, used by every chart that shows units.
LEVEL_STYLES: dict[str, tuple[str, str]] = {
    "tinh": ("#cfcfcf", ".."),
    "huyen": ("#3a3a3a", ""),
    "xa": ("#8c8c8c", "//"),
}
HEADLINE_INDICATORS = ("on_time_rate", "online_rate", "digitised_input_rate")
DIGITAL_INDICATORS = (
    "digitised_input_rate",
    "digitised_result_rate",
    "reuse_rate",
    "online_rate",
    "full_online_rate",
    "online_payment_rate",
)
#: Marker and line style per line, so lines stay apart without colour.
_LINE_STYLES = [("o", "-"), ("s", "--"), ("^", ":"), ("D", "-.")]
_LINE_GREYS = ["#1a1a1a", "#5a5a5a", "#8a8a8a", "#b0b0b0"]
ALL = "ALL"


# --- theme -------------------------------------------------------------------------------------


def theme_rc() -> dict[str, Any]:
    """Return the rcParams of the suite's theme (seaborn ``whitegrid`` + DejaVu Sans)."""
    rc: dict[str, Any] = {}
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook"))
    rc.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [FONT],
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "hatch.linewidth": 0.8,
            "svg.hashsalt": SVG_HASHSALT,
            "svg.fonttype": "path",  # text as outlines: same look on any printer
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "legend.frameon": False,
        }
    )
    return rc


def apply_theme() -> None:
    """Set the suite's theme globally (call once at the top of a notebook)."""
    sns.set_theme(context="notebook", style="whitegrid", font=FONT)
    mpl.rcParams.update(theme_rc())


@contextlib.contextmanager
def _themed() -> Iterator[None]:
    # Fonts and styles are read when artists are created: drawing inside the theme gives the
    # same chart whether or not the notebook called apply_theme().
    with mpl.rc_context(theme_rc()):
        yield


# --- small helpers -----------------------------------------------------------------------------


def percent_formatter() -> FuncFormatter:
    """Axis formatter writing 97.5 as "97,5%"."""
    return FuncFormatter(lambda value, _pos: fmt.percent(value))


def number_formatter() -> FuncFormatter:
    """Axis formatter writing 1234 as "1.234"."""
    return FuncFormatter(lambda value, _pos: fmt.number(value))


def short_names() -> dict[str, str]:
    """Return code → short label for every unit, reception centre, level and ``ALL``."""
    units = refdata.load_units()
    names = dict(zip(units["code"], units["short_name"], strict=True))
    points = refdata.load_reception_points()
    names.update(
        zip(
            points["code"],
            points["name"].str.replace("Trung tâm Hành chính công", "TT HCC", regex=False),
            strict=True,
        )
    )
    names.update(LEVEL_LABELS)
    names[ALL] = "Toàn địa bàn"
    return names


def _unit_levels() -> dict[str, str]:
    units = refdata.load_units()
    return dict(zip(units["code"], units["level"], strict=True))


def _target(rows: pd.DataFrame, indicator: str) -> float | None:
    if "target" in rows and rows["target"].notna().any():
        return float(rows["target"].dropna().iloc[0])
    return refdata.load_targets().get(indicator)


def _title(text: str, quarter_label: str | None) -> str:
    return f"{text}, {quarter_label}" if quarter_label else text


def _new_figure(width: float = 9.0, height: float = 5.0) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _inside_labels(ax: Any, bars: Any, values: pd.Series, styles: list[tuple[str, str]]) -> None:
    # Values written inside the top of each bar, on a plain box so that hatching and the
    # target line never cross the digits.
    texts = ax.bar_label(
        bars, labels=[fmt.percent(v) for v in values], label_type="edge", padding=-16, fontsize=9
    )
    for text in texts:
        text.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9})


def _wrap(label: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def unit_rows(indicators: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """Rows of ``indicator`` for real units (not ``ALL``, levels or centres), field ``ALL``.

    Units without a value (nothing resolved) are dropped; the rest are sorted best first.
    """
    levels = _unit_levels()
    rows = indicators[
        (indicators["indicator"] == indicator)
        & (indicators["field"] == ALL)
        & indicators["unit_code"].isin(list(levels))
        & indicators["value"].notna()
    ]
    return rows.sort_values(["value", "unit_code"], ascending=[False, True]).reset_index(drop=True)


def _history_series(history: pd.DataFrame, indicator: str, unit_code: str = ALL) -> pd.DataFrame:
    rows = history[
        (history["indicator"] == indicator)
        & (history["unit_code"] == unit_code)
        & (history["field"] == ALL)
    ]
    return rows.sort_values("quarter").reset_index(drop=True)


# --- charts ------------------------------------------------------------------------------------


