"""A Gantt chart of the levelled schedule as SVG: what a sponsor looks at beside the summary.

Pure: the assessment in, the SVG text out (no I/O, no fonts measured, no clock). One row per
work package in WBS order, a phase as a thin bar over its packages; the critical path in red;
level-of-effort work as a light band; a zero-length package (a go-live) as a diamond. Change
freezes are shaded, the deadline and the P80 finish are vertical lines, and months are ticked
along the top. Sizes are fixed so the chart reads the same in a browser, a Markdown viewer and
a slide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape

from tools.assessment import Assessment, WbsRow
from tools.domain import ScheduledTask

LABEL_WIDTH = 300
CHART_WIDTH = 720
ROW = 20
HEAD = 40
FOOT = 34
LABEL_CHARS = 44
COLOURS = {
    "critical": "#c0392b",
    "task": "#2e86c1",
    "phase": "#34495e",
    "effort": "#d5dbdb",
    "freeze": "#f9e79f",
    "deadline": "#7d3c98",
    "p80": "#ca6f1e",
    "grid": "#e5e8e8",
    "text": "#1c2833",
}


def render_gantt(a: Assessment) -> str | None:
    """The chart, or None when the plan was not scheduled."""
    s = a.schedule
    if s is None or not s.tasks:
        return None
    spans = {t.code: t for t in s.tasks}
    rows = [r for r in a.wbs if r.code in spans]
    ends = [s.finish, *(t.early_finish for t in s.tasks)]
    if a.brief.deadline is not None:
        ends.append(a.brief.deadline)
    if a.forecast is not None:
        ends.append(a.forecast.p80_finish)
    first, last = s.start, max(ends) + timedelta(days=1)
    days = max((last - first).days, 1)

    def x(d: date) -> float:
        return LABEL_WIDTH + CHART_WIDTH * min(max((d - first).days, 0), days) / days

    parents = {r.parent for r in rows if r.parent}
    height = HEAD + ROW * len(rows) + FOOT
    width = LABEL_WIDTH + CHART_WIDTH + 50  # room for the last month's label
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif"'
        f' font-size="11">',
        f"<title>{escape(a.brief.title)}: schedule {s.start} to {s.finish}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    bottom = HEAD + ROW * len(rows)
    for f in a.brief.freezes:
        if f.finish < first or f.start > last:
            continue
        x0, x1 = x(f.start), x(f.finish + timedelta(days=1))
        out.append(
            f'<rect x="{x0:.1f}" y="{HEAD - 6}" width="{max(x1 - x0, 1):.1f}"'
            f' height="{bottom - HEAD + 6}" fill="{COLOURS["freeze"]}" opacity="0.7">'
            f"<title>{escape(f.what or 'freeze')}: {f.start} to {f.finish}</title></rect>"
        )
    out += _months(first, last, x, bottom)
    for i, r in enumerate(rows):
        t = spans[r.code]
        y = HEAD + ROW * i
        label = f"{r.code} {r.name}"
        if len(label) > LABEL_CHARS:
            label = label[: LABEL_CHARS - 1] + "…"
        weight = ' font-weight="bold"' if r.code in parents else ""
        out.append(
            f'<text x="6" y="{y + 14}" fill="{COLOURS["text"]}"{weight}>{escape(label)}'
            f"<title>{escape(r.code + ' ' + r.name)}</title></text>"
        )
        start, finish = (
            _phase_span(r.code, rows, spans)
            if r.code in parents
            else (t.early_start, t.early_finish)
        )
        x0, x1 = x(start), x(finish + timedelta(days=1))
        tip = f"<title>{escape(r.code)}: {start} to {finish}</title>"
        if r.code in parents:
            out.append(
                f'<rect x="{x0:.1f}" y="{y + 8}" width="{max(x1 - x0, 1):.1f}" height="5"'
                f' fill="{COLOURS["phase"]}">{tip}</rect>'
            )
        elif t.early_finish < t.early_start or (
            r.estimate is not None and r.estimate.pert_hours == 0
        ):
            cx, cy = x(t.early_start), y + 10
            out.append(
                f'<path d="M{cx:.1f},{cy - 6} l6,6 l-6,6 l-6,-6 z"'
                f' fill="{COLOURS["critical" if t.critical else "task"]}">{tip}</path>'
            )
        else:
            kind = "effort" if r.level_of_effort else ("critical" if t.critical else "task")
            out.append(
                f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 2):.1f}" height="12"'
                f' rx="2" fill="{COLOURS[kind]}">{tip}</rect>'
            )
    out += _markers(a, x, bottom)
    out += _legend(bottom + 22)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _phase_span(
    code: str, rows: Sequence[WbsRow], spans: Mapping[str, ScheduledTask]
) -> tuple[date, date]:
    """A phase's bar spans the work under it, level of effort included (the schedule's own
    row for a phase of ongoing work alone marks only its start)."""
    under = {code}
    for r in rows:  # WBS order: a parent comes before its children
        if r.parent in under:
            under.add(r.code)
    tasks = [spans[c] for c in under if c != code and c in spans]
    if not tasks:
        return spans[code].early_start, spans[code].early_finish
    return min(t.early_start for t in tasks), max(t.early_finish for t in tasks)


def _months(first: date, last: date, x: Callable[[date], float], bottom: int) -> list[str]:
    """A tick and a label at each month's first day (every third month on a long plan)."""
    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 18 else 3
    out = []
    d = date(first.year, first.month, 1)
    k = 0
    while d <= last:
        if d >= first and k % step == 0:
            px = x(d)
            out.append(
                f'<line x1="{px:.1f}" y1="{HEAD - 8}" x2="{px:.1f}" y2="{bottom}"'
                f' stroke="{COLOURS["grid"]}"/>'
            )
            label = f"{d:%b %Y}" if d.month == 1 or len(out) == 1 else f"{d:%b}"
            out.append(
                f'<text x="{px + 2:.1f}" y="{HEAD - 12}" fill="{COLOURS["text"]}">{label}</text>'
            )
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        k += 1
    return out


def _markers(a: Assessment, x: Callable[[date], float], bottom: int) -> list[str]:
    out = []
    lines = []
    if (deadline := a.brief.deadline) is not None:
        lines.append(("deadline", deadline, f"deadline {deadline}"))
    if a.forecast is not None:
        lines.append(("p80", a.forecast.p80_finish, f"P80 finish {a.forecast.p80_finish}"))
    for kind, d, text in lines:
        px = x(d + timedelta(days=1))  # the end of the day
        out.append(
            f'<line x1="{px:.1f}" y1="{HEAD - 8}" x2="{px:.1f}" y2="{bottom}"'
            f' stroke="{COLOURS[kind]}" stroke-width="1.5" stroke-dasharray="5,3">'
            f"<title>{escape(text)}</title></line>"
        )
    return out


def _legend(y: int) -> list[str]:
    items = [
        ("critical", "critical path"),
        ("task", "work"),
        ("effort", "level of effort"),
        ("freeze", "change freeze"),
        ("deadline", "deadline"),
        ("p80", "P80 finish"),
    ]
    out = []
    px = LABEL_WIDTH
    for kind, text in items:
        out.append(f'<rect x="{px}" y="{y - 9}" width="10" height="10" fill="{COLOURS[kind]}"/>')
        out.append(f'<text x="{px + 14}" y="{y}" fill="{COLOURS["text"]}">{escape(text)}</text>')
        px += 24 + 6 * len(text)
    return out
