"""The Pareto chart of late dossiers (issue 17 §3): which procedure × unit pairs cause most of them.

Drawn from the score file ``late_pareto.csv`` (:func:`cchc_analysis.score.late_pareto`): bars of
late dossiers (resolved late + still pending past due) for the top pairs, most first, and the
cumulative share of all late dossiers on a second axis. Same theme as :mod:`cchc_analysis.charts`
and readable in black and white: hatched grey bars with their counts written on them, a solid
black line with round markers and its percentages written at each point, a dashed 80 % line.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from . import fmt
from .chart_style import _empty, _new_figure, _themed, _title, number_formatter, percent_formatter, short_names

TOP_PAIRS = 10
BAR_STYLE = ("#9a9a9a", "//")
PARETO_LINE = 80.0


def pareto_rows(pareto: pd.DataFrame, top: int = TOP_PAIRS) -> pd.DataFrame:
    """The ``top`` pairs with most late dossiers, most first, with their bar label.

    ``cumulative_share`` is recomputed from ``late`` over *every* row given (percent), so the
    rows of one unit give that unit's own Pareto and the whole table gives the file's values.

    Returns
    -------
    pandas.DataFrame
        ``unit_code, procedure_code, late, cumulative_share, label`` (label: procedure code,
        then the unit's short name on a second line).
    """
    rows = pareto[pareto["late"] > 0]
    rows = rows.sort_values(["late", "unit_code", "procedure_code"], ascending=[False, True, True], ignore_index=True)
    total = rows["late"].sum()
    names = short_names()
    out = pd.DataFrame({
        "unit_code": rows["unit_code"].astype("str"),
        "procedure_code": rows["procedure_code"].astype("str"),
        "late": rows["late"].astype("int64"),
        "cumulative_share": 100.0 * rows["late"].cumsum() / total if total else rows["late"] * 0.0,
    })
    out["label"] = "TTHC " + out["procedure_code"] + "\n" + out["unit_code"].map(lambda c: names.get(c, c))
    return out.head(top)


def late_pareto(pareto: pd.DataFrame, quarter_label: str | None = None, top: int = TOP_PAIRS) -> Figure:
    """Bars of late dossiers for the ``top`` procedure × unit pairs and the cumulative share line."""
    with _themed():
        rows = pareto_rows(pareto, top)
        fig, ax = _new_figure(10.0, 5.6)
        ax.set_title(_title("Các cặp thủ tục – đơn vị có nhiều hồ sơ quá hạn nhất", quarter_label))
        if rows.empty:
            _empty(ax, "Không có hồ sơ quá hạn")
            return fig
        x = list(range(len(rows)))
        bars = ax.bar(x, rows["late"], color=BAR_STYLE[0], hatch=BAR_STYLE[1], edgecolor="#1a1a1a", linewidth=0.6)
        texts = ax.bar_label(bars, labels=[fmt.number(v) for v in rows["late"]], label_type="center", fontsize=9)
        for text in texts:
            text.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9})
        ax.set_xticks(x, rows["label"], rotation=35, ha="right", rotation_mode="anchor", fontsize=9)
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.yaxis.set_major_formatter(number_formatter())
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("Số hồ sơ quá hạn")
        line_ax = ax.twinx()
        line_ax.grid(False)
        line_ax.plot(x, rows["cumulative_share"], color="#000000", marker="o", linestyle="-", linewidth=1.6)
        for i, share in zip(x, rows["cumulative_share"], strict=True):
            line_ax.annotate(fmt.percent(share), (i, share), xytext=(0, 7), textcoords="offset points",
                             ha="center", fontsize=8,
                             bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8, "alpha": 0.9})
        line_ax.axhline(PARETO_LINE, color="#555555", linestyle="--", linewidth=1.0)
        line_ax.set_ylim(0, 110)
        line_ax.yaxis.set_major_formatter(percent_formatter())
        line_ax.set_ylabel("Tỷ lệ cộng dồn trên tổng số hồ sơ quá hạn")
        handles = [
            Patch(facecolor=BAR_STYLE[0], hatch=BAR_STYLE[1], edgecolor="#1a1a1a",
                  label="Hồ sơ quá hạn (đã giải quyết quá hạn và đang quá hạn)"),
            Line2D([], [], color="#000000", marker="o", linestyle="-", label="Tỷ lệ cộng dồn"),
            Line2D([], [], color="#555555", linestyle="--", label=f"Mốc {fmt.percent(PARETO_LINE)}"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=3)
        return fig
