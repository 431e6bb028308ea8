"""The HTML report's charts as Plotly figures, built from the report's data.

Each function returns one figure with its title, axis titles that name the unit, and the
report's CJK-capable font, so Chinese and English labels render alike. Figures are plain
JSON-ready dicts: the page draws them with the one copy of ``plotly.min.js`` it carries
(see :mod:`shequn.report.html`), so no chart needs the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import networkx as nx
import plotly.graph_objects as go

from shequn.metrics.levels import LEVELS
from shequn.report.data import Report
from shequn.report.i18n import Words

__all__ = ["CHARTS", "FONT_STACK", "figures"]

#: Fonts that cover Chinese and Latin text, on Linux (fonts-noto-cjk), macOS and Windows.
FONT_STACK: Final = (
    '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", "Source Han Sans SC", sans-serif'
)
#: Seed of the tie network's layout: the same ties are drawn in the same places every time.
LAYOUT_SEED: Final = 7
_LEVEL_COLOURS: Final = {
    "newcomer": "#8fd0ff",
    "core": "#1f5fa8",
    "active": "#3c9a5f",
    "casual": "#e3b341",
    "dormant": "#b9b9b9",
}
_NEW, _LEFT, _ACTIVE, _MESSAGES = "#3c9a5f", "#c8553d", "#1f5fa8", "#e3b341"


def _layout(title: str, x_title: str | None, y_title: str | None, **more: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "font": {"family": FONT_STACK, "size": 13},
        "template": "plotly_white",
        "margin": {"l": 70, "r": 30, "t": 60, "b": 60},
        "height": 380,
        "legend": {"orientation": "h", "y": -0.2},
    }
    if x_title is not None:
        layout["xaxis"] = {"title": {"text": x_title}}
    if y_title is not None:
        layout["yaxis"] = {"title": {"text": y_title}}
    layout.update(more)
    return layout


def _figure(data: list[Any], layout: dict[str, Any]) -> dict[str, Any]:
    return go.Figure(data=data, layout=layout).to_plotly_json()


def daily(report: Report, words: Words) -> dict[str, Any]:
    """Active members (left axis) and messages (right axis) per day."""
    days = [row.day.isoformat() for row in report.daily]
    active = go.Scatter(
        x=days,
        y=[row.active_members for row in report.daily],
        name=words["daily_active"],
        mode="lines",
        line={"color": _ACTIVE, "width": 2},
    )
    messages = go.Scatter(
        x=days,
        y=[row.messages for row in report.daily],
        name=words["daily_messages"],
        mode="lines",
        yaxis="y2",
        line={"color": _MESSAGES, "width": 1.5},
    )
    layout = _layout(
        words["daily"],
        words["date"],
        f"{words['daily_active']} ({words['unit_members']} / {words['unit_per_day']})",
        yaxis2={
            "title": {"text": f"{words['daily_messages']} ({words['unit_messages']} / {words['unit_per_day']})"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickmode": "auto",
            "showgrid": False,
        },
    )
    layout["xaxis"]["type"] = "date"
    layout["yaxis"]["rangemode"] = "tozero"
    return _figure([active, messages], layout)


def flow(report: Report, words: Words) -> dict[str, Any]:
    """New and left members per week, side by side."""
    weeks = [row.period_end.isoformat() for row in report.flow]
    new = go.Bar(x=weeks, y=[row.new for row in report.flow], name=words["new"], marker={"color": _NEW})
    left = go.Bar(x=weeks, y=[row.left for row in report.flow], name=words["left"], marker={"color": _LEFT})
    layout = _layout(words["flow"], words["week_ending"], f"{words['members']} ({words['unit_members']})")
    layout["barmode"] = "group"
    return _figure([new, left], layout)


def cohorts(report: Report, words: Words) -> dict[str, Any]:
    """The cohort matrix as a heatmap: rows are join weeks, columns weeks since joining."""
    rows = report.cohorts
    weeks = max((len(row.cells) for row in rows), default=0)
    z = [[None if cell is None else round(cell * 100, 1) for cell in row.cells] for row in rows]
    text = [["" if cell is None else f"{cell:.0f}%" for cell in line] for line in z]
    heat = go.Heatmap(
        z=z,
        x=list(range(weeks)),
        y=[f"{row.cohort.isoformat()} (n={row.size})" for row in rows],
        text=text,
        texttemplate="%{text}",
        colorscale="Blues",
        zmin=0,
        zmax=100,
        colorbar={"title": {"text": f"{words['unit_share']} (%)"}},
        hovertemplate="%{y}<br>k=%{x}: %{z}%<extra></extra>",
    )
    layout = _layout(words["cohorts"], words["week_k"], words["cohort"], height=max(380, 60 + 28 * len(rows)))
    layout["yaxis"]["autorange"] = "reversed"
    layout["xaxis"]["dtick"] = 1
    return _figure([heat], layout)


def levels(report: Report, words: Words) -> dict[str, Any]:
    """Members per level as of each week's end, stacked."""
    days = [point.day.isoformat() for point in report.levels]
    traces = [
        go.Scatter(
            x=days,
            y=[point.counts[level] for point in report.levels],
            name=words.level(level),
            stackgroup="levels",
            mode="lines",
            line={"color": _LEVEL_COLOURS[level], "width": 0.5},
        )
        for level in LEVELS
    ]
    layout = _layout(words["levels"], words["as_of_day"], f"{words['members']} ({words['unit_members']})")
    return _figure(traces, layout)


def weekday_hour(report: Report, words: Words) -> dict[str, Any]:
    """Counted messages by local weekday and hour over the history window."""
    heat = go.Heatmap(
        z=report.weekday_hour,
        x=list(range(24)),
        y=words.weekdays,
        colorscale="YlOrRd",
        colorbar={"title": {"text": f"{words['messages']} ({words['unit_messages']})"}},
        hovertemplate="%{y} %{x}:00<br>%{z}<extra></extra>",
    )
    layout = _layout(words.fill("weekday_hour", zone=report.timezone), words["hour"], words["weekday"])
    layout["yaxis"]["autorange"] = "reversed"
    layout["xaxis"]["dtick"] = 2
    return _figure([heat], layout)


def contributors(report: Report, words: Words) -> dict[str, Any]:
    """The period's top posters by counted messages, the most prolific on top."""
    people = report.contributors
    bars = go.Bar(
        x=[person.messages for person in people],
        y=[f"{person.name} · {words.level(person.level)}" for person in people],
        orientation="h",
        marker={"color": [_LEVEL_COLOURS.get(person.level or "", "#999999") for person in people]},
        text=[f"{person.messages:,}" for person in people],
        textposition="auto",
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    layout = _layout(
        words.fill("contributors", period=words.period(report.period)),
        f"{words['messages']} ({words['unit_messages']})",
        words["name"],
        height=max(380, 80 + 30 * len(people)),
    )
    layout["yaxis"]["autorange"] = "reversed"
    layout["margin"]["l"] = 180
    return _figure([bars], layout)


def _positions(report: Report) -> dict[int, tuple[float, float]]:
    graph = nx.Graph()
    graph.add_nodes_from(node.member_id for node in report.network.nodes)
    graph.add_weighted_edges_from((edge.a, edge.b, edge.weight) for edge in report.network.edges)
    if not graph:
        return {}
    placed = nx.spring_layout(graph, seed=LAYOUT_SEED, weight="weight")
    return {member: (round(float(x), 4), round(float(y), 4)) for member, (x, y) in placed.items()}


def network(report: Report, words: Words) -> dict[str, Any]:
    """Core members placed by a spring layout of their ties; strong ties drawn darker."""
    where = _positions(report)
    traces: list[Any] = []
    for strong, colour, width in ((False, "#c9d6e3", 1), (True, "#1f5fa8", 2)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for edge in report.network.edges:
            if edge.strong == strong:
                xs += [where[edge.a][0], where[edge.b][0], None]
                ys += [where[edge.a][1], where[edge.b][1], None]
        label = words["strong_ties"] if strong else words["weak_ties"]
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": width}, name=label))
    nodes = report.network.nodes
    traces.append(
        go.Scatter(
            x=[where[node.member_id][0] for node in nodes],
            y=[where[node.member_id][1] for node in nodes],
            mode="markers+text",
            text=[node.name for node in nodes],
            textposition="top center",
            marker={"size": [8 + 2 * node.strong_ties for node in nodes], "color": _LEVEL_COLOURS["core"]},
            name=words.level("core"),
            hovertemplate="%{text}<extra></extra>",
        )
    )
    hidden = {"showgrid": False, "zeroline": False, "showticklabels": False}
    layout = _layout(words["network"], None, None, height=520)
    layout["xaxis"] = {**hidden, "title": {"text": words["network_x"]}}
    layout["yaxis"] = {**hidden, "scaleanchor": "x"}
    return _figure(traces, layout)


#: Every chart of the HTML report, by key (the key of its reading too), in page order.
CHARTS: dict[str, Callable[[Report, Words], dict[str, Any]]] = {
    "daily": daily,
    "flow": flow,
    "cohorts": cohorts,
    "levels": levels,
    "weekday_hour": weekday_hour,
    "contributors": contributors,
    "network": network,
}


def figures(report: Report, words: Words) -> dict[str, dict[str, Any]]:
    """Every chart's figure, keyed as :data:`CHARTS`."""
    return {key: draw(report, words) for key, draw in CHARTS.items()}
