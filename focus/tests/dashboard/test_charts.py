"""The server-drawn SVG charts: pure functions, plain values in, an SVG string out."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from focus.dashboard.charts import (
    Bar,
    Marker,
    bar_chart,
    energy_chart,
    estimate_chart,
    marker_rows,
    minute_ticks,
    nice_step,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Well-formed XML or the test fails (an unescaped '<' or '&' would break the page)."""
    return ET.fromstring(svg)


def by_class(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [el for el in root.iter() if css_class in (el.get("class") or "").split()]


def polyline_points(root: ET.Element) -> list[tuple[float, float]]:
    (line,) = by_class(root, "energy-line")
    return [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]


def test_the_energy_curve_is_an_accessible_svg_with_the_line_flow_nudges_and_friction():
    svg = energy_chart(
        points=[(0, 0.6), (10, 0.8), (20, 0.4)],
        total_minutes=30,
        estimate_minutes=45,
        flow_windows=[(5, 15)],
        nudges=[Marker(12, "Check-in: how is it going?", "nudge")],
        friction=[Marker(18, "Distraction: app switching", "distraction"), Marker(30, "Ended early", "early_end")],
    )
    root = parse(svg)
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    ids = {el.get("id"): el.text for el in root if el.tag in (SVG + "title", SVG + "desc")}
    assert set(labelled) == set(ids) and ids["energy-title"] == "Energy over the session"
    assert "from 60% to 40%" in ids["energy-desc"] and "1 flow window(s)" in ids["energy-desc"]
    assert len(polyline_points(root)) == 3 and len(by_class(root, "energy-point")) == 3
    assert len(by_class(root, "flow-window")) == 1
    assert len(by_class(root, "nudge-marker")) == 1
    assert [m.find(SVG + "text").text for m in by_class(root, "friction-marker")] == ["1", "2"]
    assert len(by_class(root, "estimate")) == 1


def test_higher_energy_is_drawn_higher_and_later_minutes_further_right():
    root = parse(energy_chart(points=[(0, 0.2), (10, 0.9), (20, 0.5)], total_minutes=20))
    (x0, y0), (x1, y1), (x2, y2) = polyline_points(root)
    assert x0 < x1 < x2
    assert y1 < y2 < y0  # SVG y grows downwards


def test_the_time_axis_reaches_the_estimate_when_it_is_near_and_names_it_when_far():
    near = parse(energy_chart(points=[(0, 0.5), (10, 0.5)], total_minutes=10, estimate_minutes=20))
    alone = parse(energy_chart(points=[(0, 0.5), (10, 0.5)], total_minutes=10))
    far = parse(energy_chart(points=[(0, 0.5), (10, 0.5)], total_minutes=10, estimate_minutes=600))
    # Against a 20-minute estimate the same 10 minutes take half the width.
    span = {
        name: polyline_points(root)[1][0] - polyline_points(root)[0][0]
        for name, root in (("near", near), ("alone", alone), ("far", far))
    }
    assert span["near"] == pytest.approx(span["alone"] / 2, rel=0.02)
    assert by_class(near, "estimate") and not by_class(near, "estimate-off")
    # A far-off estimate does not squash the session; it is named above the plot instead.
    assert span["far"] == pytest.approx(span["alone"])
    (note,) = by_class(far, "estimate-off")
    assert note.text == "estimate 10 h, off the chart →"
    (flow,) = by_class(parse(energy_chart(points=[], total_minutes=10, flow_windows=[(5, 99)])), "flow-window")
    plot_right = 720 - 16
    assert float(flow.get("x")) + float(flow.get("width")) <= plot_right + 0.1  # clamped to the axis


def test_markers_close_together_are_stacked_instead_of_overlapping():
    assert marker_rows([10, 12, 40, 41, 42, 43], gap=17, rows=3) == [0, 1, 0, 1, 2, 2]
    root = parse(
        energy_chart(points=[], total_minutes=60, friction=[Marker(30, "a"), Marker(30.2, "b"), Marker(50, "c")])
    )
    ys = [float(m.find(SVG + "circle").get("cy")) for m in by_class(root, "friction-marker")]
    assert ys[0] != ys[1] and ys[0] == ys[2]


def test_text_is_escaped_and_bad_numbers_are_dropped():
    svg = energy_chart(
        points=[(0, 0.5), (math.nan, 0.3), (5, math.inf), ("7", 0.2), (True, 0.1), (10, 1.7), (-3, -1)],
        total_minutes=10,
        nudges=[Marker(2, "<script>alert('x')</script> & co", 'x"y')],
    )
    root = parse(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    points = polyline_points(root)
    assert len(points) == 3  # (0, .5), (10, 1.0 clamped), (-3 -> 0, -1 -> 0)
    assert min(y for _, y in points) >= 46  # nothing drawn above the plot


def test_a_session_without_readings_still_draws_and_says_so():
    root = parse(energy_chart(points=[], total_minutes=0))
    assert not by_class(root, "energy-line")
    assert "No energy readings" in ET.tostring(root, encoding="unicode")
    single = parse(energy_chart(points=[(3, 0.7)], total_minutes=5))
    assert len(by_class(single, "energy-point")) == 1 and not by_class(single, "energy-line")


def test_bars_scale_to_the_busiest_day_and_highlight_today():
    bars = [Bar("1", 0, "Mon: nothing"), Bar("", 30, "Tue: 30 min"), Bar("3", 60, "Wed: 60 min", highlight=True)]
    root = parse(bar_chart(bars=bars))
    rects = by_class(root, "bar")
    assert len(rects) == 3
    empty, tue, wed = rects
    assert "empty" in empty.get("class") and "today" in wed.get("class")
    assert float(wed.get("height")) == pytest.approx(2 * float(tue.get("height")), rel=0.02)
    assert [r.find(SVG + "title").text for r in rects] == ["Mon: nothing", "Tue: 30 min", "Wed: 60 min"]
    labels = [t.text for t in root.iter(SVG + "text")]
    assert "1" in labels and "3" in labels
    assert "90 min in all" in root.find(SVG + "desc").text


def test_no_bars_still_draw_a_frame():
    root = parse(bar_chart(bars=[]))
    assert "Nothing to show yet" in ET.tostring(root, encoding="unicode")


def test_estimate_chart_compares_planned_and_actual_on_one_scale():
    root = parse(estimate_chart(estimated=45, actual=30))
    planned, actual = by_class(root, "planned")[0], by_class(root, "actual")[0]
    assert float(actual.get("width")) == pytest.approx(float(planned.get("width")) * 30 / 45, rel=0.01)
    assert "15 minutes short" in root.find(SVG + "desc").text
    over = parse(estimate_chart(estimated=20, actual=30))
    assert "10 minutes over" in over.find(SVG + "desc").text


@pytest.mark.parametrize("span,step", [(10, 2), (7, 2), (100, 20), (0.3, 0.1), (0, 1)])
def test_nice_steps_are_round_numbers(span, step):
    assert nice_step(span, 5) == pytest.approx(step)


@pytest.mark.parametrize(
    "total,ticks",
    [
        (25, [0, 5, 10, 15, 20, 25]),
        (60, [0, 10, 20, 30, 40, 50, 60]),
        (600, [0, 120, 240, 360, 480, 600]),
        (0, [0]),
        (3, [0, 1, 2, 3]),  # whole minutes: the axis words each tick as "2 min"
    ],
)
def test_minute_ticks_fall_on_round_minutes(total, ticks):
    assert minute_ticks(total) == pytest.approx(ticks)


def test_ids_are_prefixed_so_two_charts_can_share_a_page():
    a = energy_chart(points=[], total_minutes=5, id_prefix="a")
    b = energy_chart(points=[], total_minutes=5, id_prefix="b")
    ids = re.findall(r'id="([^"]+)"', a) + re.findall(r'id="([^"]+)"', b)
    assert len(ids) == len(set(ids))
