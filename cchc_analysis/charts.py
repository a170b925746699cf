"""Charts of the quarterly report (DESIGN §9): one seaborn theme, Vietnamese labels, print-safe.

Every chart function takes plain pandas frames shaped as in ``docs/architecture.md``
(``indicators``, ``history``, ``form06``) and returns a :class:`matplotlib.figure.Figure` built
without pyplot, so a notebook shows it exactly once and nothing leaks between calls.

Readable in black-and-white print: categories differ by grey level *and* hatch, every bar or
line end carries its value as a direct label, and numbers are written the Vietnamese way
(comma decimals, "." thousands) through :mod:`cchc_analysis.fmt`. The colours are fixed for the
whole suite: one per level (tỉnh / huyện / xã) and one for "meets target" vs "below target".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from . import fmt
from .labels import INDICATOR_SHORT_LABELS, LEVEL_LABELS
from .io import atomic_write
from .chart_style import (  # noqa: F401  (public names re-exported)
    ALL,
    BELOW_STYLE,
    DIGITAL_INDICATORS,
    FONT,
    HEADLINE_INDICATORS,
    LEVEL_STYLES,
    MEETS_STYLE,
    SVG_HASHSALT,
    _LINE_GREYS,
    _LINE_STYLES,
    _empty,
    _history_series,
    _inside_labels,
    _new_figure,
    _target,
    _themed,
    _title,
    _unit_levels,
    _wrap,
    apply_theme,
    number_formatter,
    percent_formatter,
    short_names,
    theme_rc,
    unit_rows,
)


def on_time_by_unit(indicators: pd.DataFrame, quarter_label: str | None = None) -> Figure:
    """Bar chart of the on-time rate of each unit against the target line.

    Bars are sorted best first; a unit below target is drawn light and hatched. Units with no
    resolved dossier have no rate (DESIGN §8) and are left out rather than drawn as 0.
    """
    with _themed():
        rows = unit_rows(indicators, "on_time_rate")
        fig, ax = _new_figure()
        ax.set_title(_title("Tỷ lệ hồ sơ giải quyết đúng hạn theo đơn vị", quarter_label))
        if rows.empty:
            _empty(ax, "Không có số liệu")
            return fig
        target = _target(rows, "on_time_rate")
        names = short_names()
        below = rows["value"] < target if target is not None else pd.Series(False, rows.index)
        styles = [BELOW_STYLE if b else MEETS_STYLE for b in below]
        bars = ax.bar(
            [names.get(c, c) for c in rows["unit_code"]],
            rows["value"],
            color=[s[0] for s in styles],
            hatch=[s[1] for s in styles],
            edgecolor="#1a1a1a",
            linewidth=0.6,
        )
        _inside_labels(ax, bars, rows["value"], styles)
        handles = [Patch(facecolor=MEETS_STYLE[0], edgecolor="#1a1a1a", label="Đạt chỉ tiêu")]
        if below.any():
            handles.append(
                Patch(
                    facecolor=BELOW_STYLE[0],
                    hatch=BELOW_STYLE[1],
                    edgecolor="#1a1a1a",
                    label="Chưa đạt chỉ tiêu",
                )
            )
        if target is not None:
            line = ax.axhline(target, color="#000000", linestyle="--", linewidth=1.2)
            line.set_label(f"Chỉ tiêu {fmt.percent(target)}")
            handles.append(line)
        ax.set_ylim(0, 110)
        ax.yaxis.set_major_formatter(percent_formatter())
        ax.set_ylabel("Tỷ lệ đúng hạn")
        ax.set_xlabel("")
        ax.tick_params(axis="x", labelrotation=35)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        return fig


def trend(
    history: pd.DataFrame,
    indicators: tuple[str, ...] = HEADLINE_INDICATORS,
    unit_code: str = ALL,
    quarter_label: str | None = None,
) -> Figure:
    """The headline rates over the quarters in ``history`` (up to the last 8), one panel each.

    Each panel's axis is zoomed to its own values (:func:`zoomed_limits`), so that a change of
    less than a point is visible; each line has its own marker and dash pattern and its last
    value written at its end. A quarter without data is absent (lines may have gaps).
    """
    with _themed():
        title = "Xu hướng các chỉ số chính qua các quý"
        if unit_code != ALL:
            title += f" – {short_names().get(unit_code, unit_code)}"
        quarters = sorted(
            history.loc[history["indicator"].isin(indicators), "quarter"].astype(str).unique()
        )[-8:]
        shown = []
        for indicator in indicators:
            series = _history_series(history, indicator, unit_code)
            series = series[series["quarter"].astype(str).isin(quarters) & series["value"].notna()]
            if not series.empty:
                shown.append((indicator, series))
        if not shown:
            fig, ax = _new_figure()
            ax.set_title(_title(title, quarter_label))
            _empty(ax, "Không có số liệu")
            return fig
        fig = Figure(figsize=(9.0, 1.2 + 1.9 * len(shown)), layout="constrained")
        axes = fig.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
        fig.suptitle(_title(title, quarter_label), fontweight="bold")
        position = {q: i for i, q in enumerate(quarters)}
        for ax, (indicator, series) in zip(axes, shown, strict=True):
            i = list(indicators).index(indicator)
            marker, style = _LINE_STYLES[i % len(_LINE_STYLES)]
            x = [position[str(q)] for q in series["quarter"]]
            values = series["value"].to_list()
            label = INDICATOR_SHORT_LABELS.get(indicator, indicator)
            ax.plot(x, values, marker=marker, linestyle=style, color=_LINE_GREYS[i % len(_LINE_GREYS)], label=label)
            ax.annotate(fmt.percent(values[-1]), (x[-1], values[-1]), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=9)
            ax.set_ylim(*zoomed_limits(values))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
            ax.yaxis.set_major_formatter(percent_formatter())
            ax.set_title(label, fontsize=10, loc="left")
        axes[-1].set_xticks(range(len(quarters)), [fmt.quarter_short(q) for q in quarters])
        axes[-1].set_xlim(-0.5, len(quarters) - 0.2)
        return fig


def zoomed_limits(values: list[float], least_span: float = 4.0) -> tuple[float, float]:
    """Axis limits around ``values`` (percent): a margin of a fifth of their range, at least
    ``least_span`` points in all, never below 0 nor above 105."""
    low, high = min(values), max(values)
    margin = max((high - low) / 5, (least_span - (high - low)) / 2, 0.5)
    lower, upper = max(0.0, low - margin), min(105.0, high + margin)
    if upper - lower < least_span:  # pushed against 0 or 105: widen the other side
        lower, upper = (lower, lower + least_span) if lower == 0.0 else (upper - least_span, upper)
    return lower, upper


def channels(history: pd.DataFrame, quarter_label: str | None = None) -> Figure:
    """Stacked bars of dossiers received per quarter: online on top of direct and postal.

    From ``history``'s ``online_rate`` for the whole area: numerator = received online,
    denominator = received in the period, so offline = denominator − numerator.
    """
    with _themed():
        rows = _history_series(history, "online_rate").tail(8)
        fig, ax = _new_figure()
        ax.set_title(_title("Hồ sơ tiếp nhận theo hình thức nộp", quarter_label))
        if rows.empty:
            _empty(ax, "Không có số liệu")
            return fig
        labels = [fmt.quarter_short(str(q)) for q in rows["quarter"]]
        online = rows["numerator"].astype(float)
        offline = rows["denominator"].astype(float) - online
        direct_bars = ax.bar(
            labels, offline, color="#d0d0d0", hatch="..", edgecolor="#1a1a1a",
            linewidth=0.6, label="Trực tiếp, bưu chính",
        )
        online_bars = ax.bar(
            labels, online, bottom=offline, color="#2b5c8a", edgecolor="#1a1a1a",
            linewidth=0.6, label="Trực tuyến",
        )
        ax.bar_label(direct_bars, labels=[fmt.number(v) for v in offline], label_type="center",
                     fontsize=9)
        ax.bar_label(online_bars, labels=[fmt.number(v) for v in online], label_type="center",
                     fontsize=9, color="white")
        ax.yaxis.set_major_formatter(number_formatter())
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("Số hồ sơ")
        ax.legend(loc="upper left", ncols=2)
        return fig


def _late_bars(
    ax: Any, labels: list[str], counts: list[int], styles: list[tuple[str, str]]
) -> None:
    # Horizontal bars, largest at the top: long Vietnamese names stay readable.
    bars = ax.barh(
        labels[::-1],
        counts[::-1],
        color=[s[0] for s in styles[::-1]],
        hatch=[s[1] for s in styles[::-1]],
        edgecolor="#1a1a1a",
        linewidth=0.6,
    )
    ax.bar_label(bars, labels=[fmt.number(v) for v in counts[::-1]], padding=3, fontsize=9)
    ax.xaxis.set_major_formatter(number_formatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Số hồ sơ giải quyết quá hạn")


def late_by_field(form06: pd.DataFrame, quarter_label: str | None = None) -> Figure:
    """Horizontal bars of dossiers resolved late per field, whole area, most late first."""
    with _themed():
        rows = form06[(form06["unit_code"] == ALL) & (form06["field"] != ALL)]
        rows = rows[rows["resolved_late"] > 0].sort_values(
            ["resolved_late", "field"], ascending=[False, True]
        )
        fig, ax = _new_figure()
        ax.set_title(_title("Hồ sơ giải quyết quá hạn theo lĩnh vực", quarter_label))
        if rows.empty:
            _empty(ax, "Không có hồ sơ giải quyết quá hạn")
            return fig
        _late_bars(
            ax,
            [_wrap(f, 30) for f in rows["field"]],
            [int(v) for v in rows["resolved_late"]],
            [BELOW_STYLE] * len(rows),
        )
        return fig


def late_by_unit(form06: pd.DataFrame, quarter_label: str | None = None) -> Figure:
    """Horizontal bars of dossiers resolved late per unit (all fields), in the level's style."""
    with _themed():
        levels = _unit_levels()
        rows = form06[(form06["field"] == ALL) & form06["unit_code"].isin(list(levels))]
        rows = rows[rows["resolved_late"] > 0].sort_values(
            ["resolved_late", "unit_code"], ascending=[False, True]
        )
        fig, ax = _new_figure()
        ax.set_title(_title("Hồ sơ giải quyết quá hạn theo đơn vị", quarter_label))
        if rows.empty:
            _empty(ax, "Không có hồ sơ giải quyết quá hạn")
            return fig
        names = short_names()
        row_levels = [levels[c] for c in rows["unit_code"]]
        _late_bars(
            ax,
            [names.get(c, c) for c in rows["unit_code"]],
            [int(v) for v in rows["resolved_late"]],
            [LEVEL_STYLES[lv] for lv in row_levels],
        )
        ax.legend(
            handles=[
                Patch(facecolor=LEVEL_STYLES[lv][0], hatch=LEVEL_STYLES[lv][1],
                      edgecolor="#1a1a1a", label=LEVEL_LABELS[lv])
                for lv in LEVEL_STYLES
                if lv in row_levels
            ],
            loc="lower right",
        )
        return fig


def digital_rates(
    indicators: pd.DataFrame,
    quarter_label: str | None = None,
    names: tuple[str, ...] = DIGITAL_INDICATORS,
) -> Figure:
    """Bars of the digitisation and online rates of the whole area, each against its target.

    Targets differ per indicator, so each bar carries its own dashed target mark. Indicators
    without a value (no data) are left out.
    """
    with _themed():
        rows = indicators[
            (indicators["unit_code"] == ALL)
            & (indicators["field"] == ALL)
            & indicators["indicator"].isin(names)
            & indicators["value"].notna()
        ]
        order = {name: i for i, name in enumerate(names)}
        rows = rows.sort_values("indicator", key=lambda s: s.map(order)).reset_index(drop=True)
        fig, ax = _new_figure()
        ax.set_title(_title("Số hóa và dịch vụ công trực tuyến so với chỉ tiêu", quarter_label))
        if rows.empty:
            _empty(ax, "Không có số liệu")
            return fig
        targets = [_target(rows[rows["indicator"] == n], n) for n in rows["indicator"]]
        below = [t is not None and v < t for v, t in zip(rows["value"], targets, strict=True)]
        styles = [BELOW_STYLE if b else MEETS_STYLE for b in below]
        x = list(range(len(rows)))
        bars = ax.bar(
            x,
            rows["value"],
            color=[s[0] for s in styles],
            hatch=[s[1] for s in styles],
            edgecolor="#1a1a1a",
            linewidth=0.6,
        )
        _inside_labels(ax, bars, rows["value"], styles)
        marks = [(i, t) for i, t in zip(x, targets, strict=True) if t is not None]
        if marks:
            ax.hlines(
                [t for _, t in marks],
                [i - 0.45 for i, _ in marks],
                [i + 0.45 for i, _ in marks],
                colors="#000000",
                linestyles="--",
                linewidth=1.4,
                label="Chỉ tiêu",
            )
        ax.set_xticks(x, [_wrap(INDICATOR_SHORT_LABELS.get(n, n), 13) for n in rows["indicator"]])  # 16 touched
        ax.set_ylim(0, 110)
        ax.yaxis.set_major_formatter(percent_formatter())
        ax.set_ylabel("Tỷ lệ")
        handles = [Patch(facecolor=MEETS_STYLE[0], edgecolor="#1a1a1a", label="Đạt chỉ tiêu")]
        if any(below):
            handles.append(Patch(facecolor=BELOW_STYLE[0], hatch=BELOW_STYLE[1],
                                 edgecolor="#1a1a1a", label="Chưa đạt chỉ tiêu"))
        handles += ax.get_legend_handles_labels()[0]
        fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        return fig


def late_matrix(form06: pd.DataFrame) -> pd.DataFrame:
    """Dossiers resolved late, units (short names, rows) × fields (columns).

    Every unit of the table is kept (a row of zeros is good news); fields with no late dossier
    anywhere are dropped to keep the heatmap narrow.
    """
    levels = _unit_levels()
    rows = form06[form06["unit_code"].isin(list(levels)) & (form06["field"] != ALL)]
    matrix = rows.pivot_table(
        index="unit_code", columns="field", values="resolved_late", aggfunc="sum", fill_value=0
    )
    matrix = matrix.loc[:, matrix.sum(axis=0) > 0]
    order = [c for c in levels if c in matrix.index]  # units.csv order: town first, then wards
    matrix = matrix.loc[order]
    names = short_names()
    matrix.index = [names.get(c, c) for c in matrix.index]
    matrix.columns.name = None
    return matrix.astype("int64")


def late_heatmap(form06: pd.DataFrame, quarter_label: str | None = None) -> Figure:
    """Heatmap of dossiers resolved late, unit × field, each cell annotated with its count."""
    with _themed():
        matrix = late_matrix(form06)
        fig, ax = _new_figure(10.0, 6.0)
        ax.set_title(_title("Hồ sơ giải quyết quá hạn theo đơn vị và lĩnh vực", quarter_label))
        if matrix.empty:
            _empty(ax, "Không có hồ sơ giải quyết quá hạn")
            return fig
        annot = matrix.map(fmt.number)
        sns.heatmap(
            matrix,
            ax=ax,
            cmap="Greys",
            annot=annot.to_numpy(),
            fmt="",
            linewidths=0.5,
            linecolor="#ffffff",
            cbar_kws={"label": "Số hồ sơ", "format": number_formatter()},
        )
        # Slanted, wrapped field names: side by side they ran into each other.
        ax.set_xticks(ax.get_xticks(), [_wrap(c, 22) for c in matrix.columns], rotation=30,
                      ha="right", rotation_mode="anchor", fontsize=9)
        ax.tick_params(axis="y", labelrotation=0)
        ax.set_xlabel("Lĩnh vực")
        ax.set_ylabel("")
        return fig


# --- all charts of a quarter -------------------------------------------------------------------

#: Name → function(tables) building the figure; the order is the report's order.
CHARTS: dict[str, Callable[[Any], Figure]] = {
    "on_time_by_unit": lambda t: on_time_by_unit(t.indicators, t.quarter.label_vi()),
    "trend": lambda t: trend(t.history, quarter_label=t.quarter.label_vi()),
    "channels": lambda t: channels(t.history, t.quarter.label_vi()),
    "late_by_field": lambda t: late_by_field(t.form06, t.quarter.label_vi()),
    "late_by_unit": lambda t: late_by_unit(t.form06, t.quarter.label_vi()),
    "digital_rates": lambda t: digital_rates(t.indicators, t.quarter.label_vi()),
    "late_heatmap": lambda t: late_heatmap(t.form06, t.quarter.label_vi()),
}


def figures(tables: Any) -> dict[str, Figure]:
    """Return every chart of a quarter, by name.

    Parameters
    ----------
    tables
        Any object with ``quarter`` (``label_vi()``), ``indicators``, ``history`` and
        ``form06`` attributes, such as ``indicators.QuarterTables``.
    """
    return {name: build(tables) for name, build in CHARTS.items()}


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` atomically as PNG or SVG (by suffix), byte-identical from run to run.

    The SVG date is omitted and its ids salted with a constant; the PNG carries no software
    version, so re-running a quarter does not change files that did not change.
    """
    path = Path(path)
    kind = path.suffix.lstrip(".").lower()
    metadata: dict[str, Any] = {"Date": None}
    if kind == "png":
        metadata["Software"] = None
    with _themed():
        atomic_write(
            path,
            lambda tmp: fig.savefig(tmp, format=kind, metadata=metadata, bbox_inches="tight"),
        )
    return path


def save_all(tables: Any, out_dir: str | Path) -> dict[str, Path]:
    """Draw every chart of ``tables`` and save it as PNG (for HTML) and SVG (for print).

    Files go to ``out_dir/<quarter>/charts/<name>.png`` and ``.svg``, with ``out_dir`` the
    outputs folder, as ``indicators.write_quarter`` uses it.

    Returns
    -------
    dict[str, Path]
        File name (``"trend.png"``, ``"trend.svg"``, ...) → path written.
    """
    charts_dir = Path(out_dir) / str(tables.quarter) / "charts"
    written: dict[str, Path] = {}
    for name, fig in figures(tables).items():
        for kind in ("png", "svg"):
            written[f"{name}.{kind}"] = save_figure(fig, charts_dir / f"{name}.{kind}")
    return written
