"""Inline SVG charts drawn on the server: pure functions, values in, an SVG string out.

No Django and no database here, so every chart is unit-tested with plain values
(focus/tests/dashboard/test_charts.py). Every piece of text that goes into the SVG is escaped; every number
is checked to be finite, and a chart with nothing to show still draws its frame and says so.

Each chart is an accessible image: ``role="img"`` with a ``<title>`` and a ``<desc>`` that say in
words what the picture shows (the pages also show the numbers as text next to it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from focus.clock import duration_text

# Colours (checked against white for contrast; they match static/css/focusflow.css).
INK = "#1d2521"
MUTED = "#56615b"
GRID = "#e3e7e2"
ENERGY = "#2f6f5e"
ENERGY_FILL = "#2f6f5e"
FLOW_FILL = "#d8e8f5"
FLOW_INK = "#245a86"
NUDGE = "#9a5b00"
FRICTION = "#a3362a"
BAR = "#2f6f5e"
BAR_TODAY = "#1f4f42"
ESTIMATE = "#56615b"
ESTIMATE_STRETCH = 2.0  # the time axis reaches the estimate when it is at most this many times the session
MARKER_GAP = 17.0  # markers closer than this (in SVG units) go on the next row


@dataclass(frozen=True)
class Marker:
    """Something that happened at a session minute: a nudge, a break, a friction point."""

    minute: float
    label: str
    kind: str = ""


@dataclass(frozen=True)
class Bar:
    label: str  # shown under the bar (may be empty to skip a label)
    value: float
    title: str = ""  # the tooltip / accessible text of this bar
    highlight: bool = False


# --------------------------------------------------------------------------- helpers


def _finite(value: object, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value) if math.isfinite(value) else default


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    return f"{value:.1f}".removesuffix(".0")


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def nice_step(span: float, max_ticks: int = 8) -> float:
    """A round step (1, 2, 5 x 10^k) that splits ``span`` into at most ``max_ticks`` parts."""
    span = _finite(span)
    if span <= 0:
        return 1.0
    raw = span / max(1, max_ticks)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw - 1e-12:
            return float(factor * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def minute_ticks(total: float, max_ticks: int = 8) -> list[float]:
    """Axis ticks for 0..total minutes, on round minutes (5, 10, 15, 30, 60, ...) when long enough."""
    total = max(0.0, _finite(total))
    if total <= 0:
        return [0.0]
    step = max(1.0, nice_step(total, max_ticks))  # whole minutes: the axis words them as "5 min"
    if total > 10:  # minutes read best in fives and fifteens
        for candidate in (5, 10, 15, 30, 60, 120, 240):
            if total / candidate <= max_ticks:
                step = float(candidate)
                break
    ticks, at = [], 0.0
    while at <= total + 1e-9:
        ticks.append(round(at, 6))
        at += step
    return ticks


def marker_rows(xs: Sequence[float], *, gap: float, rows: int) -> list[int]:
    """A row (0 = nearest the plot) for each marker so that markers in a row keep ``gap`` apart;
    when every row is taken near a point, the marker goes on the last row."""
    last: list[float] = [-math.inf] * rows
    placed = []
    for x in xs:
        row = next((r for r in range(rows) if x - last[r] >= gap), rows - 1)
        last[row] = x
        placed.append(row)
    return placed


def _open_svg(*, width: int, height: int, css_class: str, id_prefix: str, title: str, desc: str) -> list[str]:
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_attr(css_class)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{_attr(title_id)} {_attr(desc_id)}" font-family="system-ui, sans-serif" font-size="12">'
    )
    return [
        opening,
        f'<title id="{_attr(title_id)}">{escape(title)}</title>',
        f'<desc id="{_attr(desc_id)}">{escape(desc)}</desc>',
    ]


# --------------------------------------------------------------------------- energy curve


def energy_chart(
    *,
    points: Sequence[tuple[float, float]],
    total_minutes: float,
    estimate_minutes: float | None = None,
    flow_windows: Sequence[tuple[float, float]] = (),
    nudges: Sequence[Marker] = (),
    friction: Sequence[Marker] = (),
    width: int = 720,
    height: int = 340,
    id_prefix: str = "energy",
    css_class: str = "chart energy-chart",
    max_ticks: int = 8,
) -> str:
    """The energy curve (0..1) over session minutes, flow windows shaded, nudges marked above the
    plot and friction points (numbered in list order) below it, and the estimate as a dashed line."""
    left, right, top, bottom = 44, 16, 46, 90
    plot_w, plot_h = width - left - right, height - top - bottom
    clean = sorted(
        (max(0.0, float(m)), min(1.0, max(0.0, float(v)))) for m, v in points if _is_number(m) and _is_number(v)
    )
    estimate = max(0.0, _finite(estimate_minutes)) if estimate_minutes is not None else 0.0
    span = max(_finite(total_minutes), max((m for m, _ in clean), default=0.0), 1.0)
    # The axis stretches to the estimate only when it is near the session's length; a far-off
    # estimate (600 planned, 70 done) would squash the session into a sliver, so it is named instead.
    estimate_on_axis = 0 < estimate <= span * ESTIMATE_STRETCH
    domain = max(span, estimate) if estimate_on_axis else span

    def x(minute: float) -> float:
        return left + plot_w * min(domain, max(0.0, _finite(minute))) / domain

    def y(value: float) -> float:
        return top + plot_h * (1.0 - value)

    if clean:
        trend = f"from {round(clean[0][1] * 100)}% to {round(clean[-1][1] * 100)}%"
        desc = f"Energy {trend} over {duration_text(_finite(total_minutes), 'long')}"
    else:
        desc = "No energy readings were recorded in this session"
    desc += f"; {len(flow_windows)} flow window(s), {len(nudges)} nudge(s), {len(friction)} friction point(s)."
    out = _open_svg(
        width=width,
        height=height,
        css_class=css_class,
        id_prefix=id_prefix,
        title="Energy over the session",
        desc=desc,
    )

    # Flow windows first, so the grid and the curve sit on top of the shading.
    for start, end in flow_windows:
        x0, x1 = x(start), x(end)
        out.append(
            f'<rect class="flow-window" x="{_n(x0)}" y="{top}" width="{_n(max(1.0, x1 - x0))}" '
            f'height="{plot_h}" fill="{FLOW_FILL}"><title>In flow from {duration_text(_finite(start), "short")} '
            f"to {duration_text(_finite(end), 'short')}</title></rect>"
        )
        if x1 - x0 >= 28:
            out.append(f'<text x="{_n(x0 + 4)}" y="{top + 14}" fill="{FLOW_INK}" font-weight="600">flow</text>')

    for value in (0.0, 0.25, 0.5, 0.75, 1.0):
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_n(y(value))}" y2="{_n(y(value))}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{_n(y(value) + 4)}" text-anchor="end" fill="{MUTED}">{round(value * 100)}%</text>'
        )
    for tick in minute_ticks(domain, max_ticks):
        # The last label ends at the axis's end rather than running off the chart ("1 h 10 min").
        anchor = "end" if x(tick) > left + plot_w - 30 else "middle"
        out.append(
            f'<text x="{_n(x(tick))}" y="{top + plot_h + 16}" text-anchor="{anchor}" fill="{MUTED}">'
            f"{duration_text(tick, 'short')}</text>"
        )

    if estimate > 0 and not estimate_on_axis:
        out.append(
            f'<text class="estimate-off" x="{left + plot_w - 4}" y="{top + plot_h - 6}" text-anchor="end" '
            f'fill="{MUTED}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
            f"estimate {duration_text(estimate, 'short')}, off the chart →</text>"
        )
    elif estimate > 0:
        ex = x(estimate)
        out.append(
            f'<line class="estimate" x1="{_n(ex)}" x2="{_n(ex)}" y1="{top}" y2="{top + plot_h}" '
            f'stroke="{ESTIMATE}" stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
        anchor = "end" if ex > left + plot_w * 0.6 else "start"  # the label stays inside the plot
        dx = -4 if anchor == "end" else 4
        out.append(
            f'<text x="{_n(ex + dx)}" y="{top + plot_h - 6}" text-anchor="{anchor}" fill="{MUTED}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">estimate {duration_text(estimate, "short")}</text>'
        )

    if clean:
        coords = [(x(m), y(v)) for m, v in clean]
        if len(coords) == 1:
            cx, cy = coords[0]
            out.append(f'<circle class="energy-point" cx="{_n(cx)}" cy="{_n(cy)}" r="4" fill="{ENERGY}"/>')
        else:
            line = " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in coords)
            area = f"{_n(coords[0][0])},{_n(y(0))} {line} {_n(coords[-1][0])},{_n(y(0))}"
            out.append(f'<polygon class="energy-area" points="{area}" fill="{ENERGY_FILL}" fill-opacity="0.12"/>')
            out.append(
                f'<polyline class="energy-line" points="{line}" fill="none" stroke="{ENERGY}" '
                f'stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>'
            )
            if len(coords) <= 40:
                for (cx, cy), (m, v) in zip(coords, clean):
                    out.append(
                        f'<circle class="energy-point" cx="{_n(cx)}" cy="{_n(cy)}" r="3" fill="{ENERGY}">'
                        f"<title>At {duration_text(m, 'short')}: energy {round(v * 100)}%</title></circle>"
                    )
    else:
        out.append(
            f'<text x="{_n(left + plot_w / 2)}" y="{_n(top + plot_h / 2)}" text-anchor="middle" '
            f'fill="{MUTED}">No energy readings in this session</text>'
        )

    # Nudges: a dashed line through the plot and a diamond above it.
    nudge_rows = marker_rows([x(m.minute) for m in nudges], gap=14.0, rows=2)
    for marker, row in zip(nudges, nudge_rows):
        mx = x(marker.minute)
        my = top - 14 - row * 13
        tip = escape(f"At {duration_text(_finite(marker.minute), 'short')}: {marker.label}")
        out.append(
            f'<g class="nudge-marker" data-kind="{_attr(marker.kind)}"><title>{tip}</title>'
            f'<line x1="{_n(mx)}" x2="{_n(mx)}" y1="{my + 12}" y2="{top + plot_h}" stroke="{NUDGE}" '
            f'stroke-width="1" stroke-dasharray="2 3"/>'
            f'<path d="M{_n(mx)} {my} l6 6 l-6 6 l-6 -6 z" fill="{NUDGE}"/></g>'
        )
    # Friction points: numbered dots below the axis, matching the numbered list on the page.
    friction_rows = marker_rows([x(m.minute) for m in friction], gap=MARKER_GAP, rows=3)
    for number, (marker, row) in enumerate(zip(friction, friction_rows), start=1):
        fx = x(marker.minute)
        fy = top + plot_h + 40 + row * 18
        tip = escape(f"{number}. At {duration_text(_finite(marker.minute), 'short')}: {marker.label}")
        out.append(
            f'<g class="friction-marker"><title>{tip}</title>'
            f'<circle cx="{_n(fx)}" cy="{fy}" r="8" fill="{FRICTION}"/>'
            f'<text x="{_n(fx)}" y="{fy + 4}" text-anchor="middle" fill="#ffffff" font-size="11" '
            f'font-weight="700">{number}</text></g>'
        )
    out.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- bars


def bar_chart(
    *,
    bars: Sequence[Bar],
    unit: str = "min",
    title: str = "Focus minutes per day",
    width: int = 720,
    height: int = 220,
    id_prefix: str = "bars",
    css_class: str = "chart bar-chart",
) -> str:
    """Vertical bars with a rounded y-axis; highlighted bars (today) are darker."""
    left, right, top, bottom = 44, 8, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [max(0.0, _finite(b.value)) for b in bars]
    peak = max(values, default=0.0)
    step = nice_step(peak, 4) if peak > 0 else 1.0
    axis_max = max(step, math.ceil(peak / step - 1e-9) * step) if peak > 0 else 4 * step
    total = sum(values)
    busiest = bars[values.index(peak)].title or bars[values.index(peak)].label if bars and peak > 0 else ""
    desc = (
        f"{len(bars)} bars, {round(total)} {unit} in all" + (f"; the most on {busiest}" if busiest else "")
        if bars
        else "No data"
    )
    out = _open_svg(width=width, height=height, css_class=css_class, id_prefix=id_prefix, title=title, desc=desc + ".")

    def y(value: float) -> float:
        return top + plot_h * (1.0 - value / axis_max)

    at = 0.0
    while at <= axis_max + 1e-9:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_n(y(at))}" y2="{_n(y(at))}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(f'<text x="{left - 6}" y="{_n(y(at) + 4)}" text-anchor="end" fill="{MUTED}">{at:g}</text>')
        at += step
    if bars:
        slot = plot_w / len(bars)
        bar_w = max(2.0, slot * 0.7)
        for i, (bar, value) in enumerate(zip(bars, values)):
            bx = left + slot * i + (slot - bar_w) / 2
            by = y(value)
            tip = escape(bar.title or f"{bar.label}: {round(value)} {unit}")
            fill = BAR_TODAY if bar.highlight else BAR
            if value > 0:
                out.append(
                    f'<rect class="bar{" today" if bar.highlight else ""}" x="{_n(bx)}" y="{_n(by)}" '
                    f'width="{_n(bar_w)}" height="{_n(max(1.0, top + plot_h - by))}" rx="2" fill="{fill}">'
                    f"<title>{tip}</title></rect>"
                )
            else:  # an empty day is a thin tick on the axis, still with its tooltip
                out.append(
                    f'<rect class="bar empty" x="{_n(bx)}" y="{_n(top + plot_h - 2)}" width="{_n(bar_w)}" '
                    f'height="2" fill="{GRID}"><title>{tip}</title></rect>'
                )
            if bar.label:
                weight = ' font-weight="700"' if bar.highlight else ""
                # A label by the right edge ends at its bar instead of running off the chart ("1 Dec").
                lx, anchor = (bx + bar_w, "end") if i == len(bars) - 1 else (bx + bar_w / 2, "middle")
                out.append(
                    f'<text x="{_n(lx)}" y="{top + plot_h + 16}" text-anchor="{anchor}" '
                    f'fill="{INK if bar.highlight else MUTED}"{weight}>{escape(bar.label)}</text>'
                )
    else:
        out.append(
            f'<text x="{_n(left + plot_w / 2)}" y="{_n(top + plot_h / 2)}" text-anchor="middle" '
            f'fill="{MUTED}">Nothing to show yet</text>'
        )
    out.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- estimate vs actual


def estimate_chart(
    *, estimated: float, actual: float, width: int = 360, height: int = 64, id_prefix: str = "estimate"
) -> str:
    """Two horizontal bars on one scale: the planned minutes and the minutes it took."""
    estimated, actual = max(0.0, _finite(estimated)), max(0.0, _finite(actual))
    left, right = 72, 88  # room for "10 h 30 min" after a bar
    scale = max(estimated, actual, 1.0)
    plot_w = width - left - right
    if estimated > 0 and actual < estimated:
        verdict = f"{duration_text(estimated - actual)} short of the estimate"
    elif estimated > 0 and actual > estimated:
        verdict = f"{duration_text(actual - estimated)} over the estimate"
    else:
        verdict = "on the estimate"
    out = _open_svg(
        width=width,
        height=height,
        css_class="chart estimate-chart",
        id_prefix=id_prefix,
        title="Estimate and actual minutes",
        desc=f"Planned {duration_text(estimated)}, took {duration_text(actual)}: {verdict}.",
    )
    for row, (label, value, fill) in enumerate((("Planned", estimated, "#9aa59f"), ("Actual", actual, ENERGY))):
        y = 8 + row * 28
        w = plot_w * value / scale
        out.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" fill="{INK}">{label}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{_n(plot_w)}" height="20" rx="4" fill="{GRID}"/>')
        if w > 0:
            out.append(
                f'<rect class="{label.lower()}" x="{left}" y="{y}" width="{_n(max(2.0, w))}" height="20" '
                f'rx="4" fill="{fill}"/>'
            )
        out.append(f'<text x="{left + plot_w + 8}" y="{y + 14}" fill="{INK}">{duration_text(value, "short")}</text>')
    out.append("</svg>")
    return "".join(out)
