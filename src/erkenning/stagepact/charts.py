"""Bar and line charts as inline SVG, drawn server-side by matplotlib (its SVG backend; no display).

matplotlib writes its colours and fonts as `style="…"` attributes and a `<style>` element; a page
whose Content-Security-Policy allows no inline style would draw them black. So the SVG is rewritten
into presentation attributes (`fill="…"`), which CSP does not govern. The rewrite also makes each
chart fit to sit inline beside others and be read by assistive technology: ids are prefixed per
chart (several charts share one page), `role="img"` with a `<title>` and `<desc>`, text stays text
(`svg.fonttype = none`), and every bar is a `<g class="bar" data-category="…">` with its own
`<title>`. The output is deterministic (fixed hash salt, no date), so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # never a display: charts are drawn in servers and workers

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "erkenning",
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.edgecolor": "#545454",
    "axes.labelcolor": "#1b1b1b",
    "xtick.color": "#1b1b1b",
    "ytick.color": "#1b1b1b",
    "text.color": "#1b1b1b",
}
BAR_COLOUR = "#0b4a85"  # 9:1 against white
LINE_STYLES = (("#0b4a85", "-", "o"), ("#b01c1c", "--", "s"), ("#0f6b34", ":", "^"), ("#5a2a82", "-.", "D"))
_LOCK = threading.Lock()  # matplotlib's global settings are not thread-safe; charts are rare


@dataclass(frozen=True)
class Bar:
    category: str  # a code: [a-z0-9_]
    label: str
    value: float | None  # None: hidden (drawn as an empty bar with its text)
    text: str


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # None: hidden or undefined (a gap in the line)
    texts: Sequence[str]


def bar_chart(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], *, value_axis: str, category_axis: str
) -> str:
    """A horizontal bar chart, one bar per category, each labelled with its value (or "<5")."""
    with _LOCK, matplotlib.rc_context(_RC):
        height = 1.1 + 0.38 * len(bars)
        fig = Figure(figsize=(6.4, height))
        ax = fig.add_subplot()
        positions = list(range(len(bars)))
        drawn = ax.barh(positions, [b.value or 0 for b in bars], color=BAR_COLOUR, height=0.6)
        for patch, bar in zip(drawn, bars, strict=True):
            patch.set_gid(f"bar-{bar.category}")
        ax.bar_label(drawn, labels=[b.text for b in bars], padding=3)
        ax.set_yticks(positions, [b.label for b in bars])
        ax.invert_yaxis()
        top = max((b.value or 0 for b in bars), default=0)
        ax.set_xlim(0, max(top * 1.15, 5))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.set_xlabel(value_axis)
        ax.set_ylabel(category_axis)
        _tidy(ax)
        fig.tight_layout()
        titles = {f"bar-{b.category}": f"{b.label}: {b.text}" for b in bars}
        return _accessible(_svg(fig), chart_id, title, description, titles)


def line_chart(
    chart_id: str, title: str, description: str, x_labels: Sequence[str], series: Sequence[Series], *,
    value_axis: str, x_axis: str,
) -> str:
    """A line chart over `x_labels`; a hidden point is a gap, marked with its text ("<5") at the bottom."""
    with _LOCK, matplotlib.rc_context(_RC):
        fig = Figure(figsize=(6.4, 3.4))
        ax = fig.add_subplot()
        xs = list(range(len(x_labels)))
        for (colour, style, marker), line in zip(LINE_STYLES, series, strict=False):
            ys = [math.nan if v is None else v for v in line.values]
            ax.plot(xs, ys, color=colour, linestyle=style, marker=marker, label=line.label)
            for x, v, text in zip(xs, line.values, line.texts, strict=True):
                if v is None and text:
                    ax.annotate(text, (x, 0), xytext=(0, 4), textcoords="offset points", ha="center", color=colour)
        ax.set_xticks(xs, list(x_labels))
        top = max((v for s in series for v in s.values if v is not None), default=0)
        ax.set_ylim(0, max(top * 1.15, 5))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.set_xlabel(x_axis)
        ax.set_ylabel(value_axis)
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _tidy(ax)
        fig.tight_layout()
        return _accessible(_svg(fig), chart_id, title, description, {})


def _tidy(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


# ------------------------------------------------------------------ the rewrite

_DECLARATION = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]+?)\s*(?:;|$)")


def _q(tag: str) -> str:
    return f"{{{SVG_NS}}}{tag}"


def _accessible(svg: str, chart_id: str, title: str, description: str, bar_titles: dict[str, str]) -> str:
    root = ET.fromstring(svg)
    _drop(root, {_q("metadata"), _q("style")})
    ids = {el.get("id"): f"{chart_id}-{el.get('id')}" for el in root.iter() if el.get("id")}
    for el in root.iter():
        _inline_style(el)
        _rename_ids(el, ids)
    for gid, text in bar_titles.items():
        group = root.find(f".//*[@id='{ids[gid]}']")
        if group is not None:
            group.set("class", "bar")
            group.set("data-category", gid.removeprefix("bar-"))
            label = ET.Element(_q("title"))
            label.text = text
            group.insert(0, label)
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    # What the removed <style> said for every element (attributes inherit; explicit ones win).
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    heading = ET.Element(_q("title"), id=f"{chart_id}-title")
    heading.text = title
    desc = ET.Element(_q("desc"), id=f"{chart_id}-desc")
    desc.text = description
    root.insert(0, desc)
    root.insert(0, heading)
    return ET.tostring(root, encoding="unicode")


def _drop(root: ET.Element, tags: set[str]) -> None:
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in tags:
                parent.remove(child)


def _inline_style(el: ET.Element) -> None:
    style = el.attrib.pop("style", None)
    if not style:
        return
    for name, value in _DECLARATION.findall(style):
        el.attrib.setdefault(name, value)


def _rename_ids(el: ET.Element, ids: dict[str | None, str]) -> None:
    if el.get("id"):
        el.set("id", ids[el.get("id")])
    href = el.attrib.pop(f"{{{XLINK_NS}}}href", None) or el.attrib.pop("href", None)
    if href is not None:
        el.set("href", "#" + ids.get(href[1:], href[1:]) if href.startswith("#") else href)
    for name, value in list(el.attrib.items()):
        if "url(#" in value:
            el.set(name, re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{ids.get(m.group(1), m.group(1))})", value))
