"""Counts per platform per month as a server-rendered stacked bar chart (inline SVG, no JavaScript).

The SVG carries its numbers as ``<title>`` tooltips and the page shows the same counts as a table,
so the chart is never the only way to read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..owner import records

__all__ = ["PALETTE", "MonthlyCounts", "monthly_counts", "svg_chart"]

# Distinguishable, and dark enough against white for the 3:1 non-text contrast of WCAG 1.4.11.
PALETTE = (
    "#1f5fa8",
    "#b3471d",
    "#2e7d32",
    "#7b3fa0",
    "#a8326e",
    "#00727f",
    "#8a6100",
    "#4a4a4a",
    "#3949ab",
    "#9e2b25",
    "#00695c",
    "#6d4c41",
    "#c2185b",
    "#33691e",
    "#0d47a1",
    "#bf360c",
    "#4527a0",
    "#006064",
    "#827717",
    "#37474f",
)


@dataclass(slots=True)
class MonthlyCounts:
    months: list[str]  # "YYYY-MM", ascending, gaps filled
    platforms: list[str]  # by total, descending
    counts: dict[tuple[str, str], int]  # (month, platform) -> records

    def total(self, month: str) -> int:
        return sum(self.counts.get((month, p), 0) for p in self.platforms)

    def color(self, platform: str) -> str:
        return PALETTE[self.platforms.index(platform) % len(PALETTE)]


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_counts(store: records.Store, filters: records.Filters) -> MonthlyCounts:
    """Every month from the first record to the last: a history from 2007 starts in 2007."""
    counts: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = {}
    for month, platform, n in records.monthly_counts(store, filters):
        if not month or len(month) != 7:
            continue
        counts[(month, platform)] = n
        totals[platform] = totals.get(platform, 0) + n
    if not counts:
        return MonthlyCounts([], [], {})
    months = _month_range(min(m for m, _ in counts), max(m for m, _ in counts))
    platforms = sorted(totals, key=lambda p: (-totals[p], p))
    return MonthlyCounts(months, platforms, counts)


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def svg_chart(data: MonthlyCounts, *, width: int = 900, height: int = 260) -> str:
    """The chart as an SVG string (every text escaped here; the template marks it safe)."""
    if not data.months:
        return ""
    left, right, top, bottom = 48, 8, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(data.total(m) for m in data.months) or 1
    slot = plot_w / len(data.months)
    bar = max(1.0, slot * 0.8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" class="chart" focusable="false">',
        '<title id="chart-title">Records per month, stacked by platform</title>',
        f'<desc id="chart-desc">{len(data.months)} months from {data.months[0]} to {data.months[-1]}; '
        f"the busiest month has {peak} records. The same numbers are in the table below.</desc>",
    ]
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#767676" '
            f'stroke-width="{1 if frac == 0 else 0.5}"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#333">'
            f"{round(peak * frac)}</text>"
        )
    label_every = max(1, len(data.months) // 12)
    for i, month in enumerate(data.months):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for platform in data.platforms:
            n = data.counts.get((month, platform), 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{data.color(platform)}"><title>{_esc(month)} · {_esc(platform)}: {n}</title></rect>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'font-size="11" fill="#333">{_esc(month)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
