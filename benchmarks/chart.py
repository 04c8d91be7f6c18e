"""Draw the benchmark table as a chart: each row's cost relative to the floor, ours beside the peers.

    python benchmarks/chart.py results.json [--output benchmarks/ratios.svg]

`run.py --chart PATH` calls `draw` at the end of a run; this script redraws a chart from the JSON that
`run.py --json` saved. It needs matplotlib (the `bench` extra: `pip install -e ".[bench]"`).

One group of bars per row that has a target: the cost of each implementation as a multiple of the floor's (for
a throughput row, the floor's throughput divided by the implementation's, so that shorter is better everywhere),
on a logarithmic axis, with the floor at 1 and the row's ratio target marked where it has one.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any, Optional

# Implementations drawn, in order, with their colours: ours first, then the peers that were measured.
SERIES = (("ours", "azure-ai-inference", "#0f6cbd"), ("openai", "openai", "#8a8886"), ("b9", "1.0.0b9", "#c19c00"))
_TARGET = re.compile(r"ratio\s*[≤≥<>]=?\s*([0-9.]+)")


def cost_ratio(entry: dict[str, Any], impl: str) -> Optional[float]:
    """The implementation's cost as a multiple of the floor's; None when either was not measured."""
    value, floor = entry.get(impl), entry.get("floor")
    if value is None or not floor:
        return None
    ratio = value / floor
    return 1 / ratio if entry.get("higher_is_better") else ratio


def chartable(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows to draw: those with a target and a measured floor; of the peak-memory rows only the async one,
    which has a target relative to the floor (the others share one absolute target)."""
    return [
        entry
        for entry in table
        if entry.get("target")
        and cost_ratio(entry, "ours") is not None
        and (not entry["work"].startswith("peak RSS") or "floor" in entry["target"])
    ]


def draw(table: list[dict[str, Any]], path: Path, title: str = "Cost relative to the hand-written floor") -> Path:
    """Write the chart of `table` (as `run.py` builds it) to `path` as SVG; returns the path."""
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    rows = chartable(table)
    series = [(impl, label, colour) for impl, label, colour in SERIES if any(cost_ratio(e, impl) for e in rows)]
    height = 0.8 / max(1, len(series))
    figure, axes = plt.subplots(figsize=(10, 0.3 * len(rows) * max(1, len(series)) + 1.2))
    for position, (impl, label, colour) in enumerate(series):
        ys, widths = [], []
        for index, entry in enumerate(rows):
            ratio = cost_ratio(entry, impl)
            if ratio is not None:
                ys.append(index + position * height)
                widths.append(ratio)
        bars = axes.barh(ys, widths, height=height * 0.92, color=colour, label=label)
        axes.bar_label(bars, labels=[f"{w:.2g}x" for w in widths], padding=3, fontsize=8)
    for index, entry in enumerate(rows):
        match = _TARGET.search(entry["target"] or "")
        if match:
            target = float(match.group(1))
            if entry.get("higher_is_better"):  # a throughput at least `target` times the floor's: a cost of 1/target
                target = 1 / target
            axes.plot([target, target], [index - height / 2, index + height * (len(series) - 0.5)], "k--", lw=1)
    axes.axvline(1.0, color="black", lw=1)
    axes.set_xscale("log")
    axes.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(rows))])
    axes.set_yticklabels([f"{e['work']}, {e['metric']}" for e in rows], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("times the floor's cost (log scale; 1 = floor, dashed = target; shorter is better)")
    axes.set_title(title, fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    axes.margins(x=0.12)
    figure.subplots_adjust(left=0.4, right=0.97, top=0.95, bottom=0.08)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)
    return path


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("results", type=Path, help="the JSON file run.py --json wrote")
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "ratios.svg")
    args = parser.parse_args(argv)
    saved = json.loads(args.results.read_text(encoding="utf-8"))
    print(draw(saved["table"], args.output))


if __name__ == "__main__":
    main()
