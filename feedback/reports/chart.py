"""A server-drawn SVG chart of responses per week and % useful.

`weekly_chart` turns `figures.Weekly` into shapes with coordinates; the
template `feedback/admin/includes/weekly_chart.html` draws them as inline
SVG (no JavaScript, nothing from another origin) and prints the same
figures as a table for screen readers and for anyone who wants numbers.
Bars are responses (left axis); the line with round markers is % useful
(right axis), so the two differ by shape as well as colour.
"""

from dataclasses import dataclass

WIDTH = 760
HEIGHT = 280
LEFT = 56
RIGHT = 56
TOP = 20
BOTTOM = 44
MAX_X_LABELS = 8


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass
class XLabel:
    x: float
    label: str


def tick_step(largest):
    """A round step (1, 2, 2.5 or 5 × 10ⁿ, whole numbers only) so four steps cover `largest`."""
    needed = max(largest, 1) / 4
    magnitude = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * magnitude
            if step == int(step) and step >= needed:
                return int(step)
        magnitude *= 10


def _short_date(day):
    return f"{day.day} {day:%b}" if day.month != 1 or day.day > 7 else f"{day.day} {day:%b %Y}"


def weekly_chart(weekly):
    """Coordinates for the chart of `weekly` (a `figures.Weekly`), or None without weeks."""
    weeks = weekly.weeks
    if not weeks:
        return None
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_height
    step = tick_step(max(week.responses for week in weeks))
    top_value = step * 4
    slot = plot_width / len(weeks)
    bar_width = max(slot * 0.7, 1)

    def y_for_count(count):
        return bottom - plot_height * count / top_value

    def y_for_percent(value):
        return bottom - plot_height * value / 100

    bars, segments, points = [], [], []
    segment = []
    for index, week in enumerate(weeks):
        centre = LEFT + slot * (index + 0.5)
        starts = f"{week.starts.day} {week.starts:%B %Y}"
        if week.responses:
            y = y_for_count(week.responses)
            bars.append(
                Bar(
                    round(centre - bar_width / 2, 2),
                    round(y, 2),
                    round(bar_width, 2),
                    round(bottom - y, 2),
                    f"Week of {starts}: {week.responses:,} responses, "
                    f"{week.percent_useful}% useful",
                )
            )
            point = (round(centre, 2), round(y_for_percent(week.percent_useful), 2))
            segment.append(point)
            points.append(point)
        elif segment:
            segments.append(segment)
            segment = []
    if segment:
        segments.append(segment)

    every = -(-len(weeks) // MAX_X_LABELS)
    x_labels = [
        XLabel(round(LEFT + slot * (index + 0.5), 2), _short_date(week.starts))
        for index, week in enumerate(weeks)
        if index % every == 0
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": bottom,
        "count_ticks": [Tick(round(y_for_count(step * i), 2), f"{step * i:,}") for i in range(5)],
        "percent_ticks": [Tick(round(y_for_percent(p), 2), f"{p}%") for p in (0, 25, 50, 75, 100)],
        "bars": bars,
        "lines": [" ".join(f"{x},{y}" for x, y in segment) for segment in segments],
        "points": points,
        "x_labels": x_labels,
        "label_y": bottom + 20,
        "weeks": weeks,
    }
