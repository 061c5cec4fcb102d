"""Benchmark: the CLI's safe, terminal-fitting table text and formula-safe CSV next to pandas' own.

A generated backup of 20,000 accounts; its accounts and addressBook tables are
rendered with :func:`toolkit.cli.tabletext.render_frame` (every cell
neutralised by :func:`toolkit.textsafe.safe_text`, cut to the width) against
the baseline ``DataFrame.to_string`` that ``inspect`` used before, and written
with :func:`toolkit.reports.sheets.to_csv_bytes` against a bare ``DataFrame.to_csv``.
Prints best-of-N timings and their ratios.

    .venv/bin/python bench/bench_tabletext.py [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable

from toolkit.cli.tabletext import render_frame
from toolkit.model.backup import Backup
from toolkit.model.tables import default_columns
from toolkit.reports.sheets import to_csv_bytes
from toolkit.testing.synthetic import large_desktop_document


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=20_000)
    args = parser.parse_args()
    tables = Backup(large_desktop_document(accounts=args.accounts)).tables()
    for name in ("accounts", "addressBook"):
        frame = tables[name]
        shown = frame[default_columns(name, frame)]

        def baseline(shown=shown) -> str:
            return shown.to_string(index=False, max_colwidth=52)

        def ours(shown=shown) -> str:
            return render_frame(shown, 120)

        def csv_baseline(frame=frame) -> bytes:
            buf = io.StringIO()
            frame.to_csv(buf, index=False)
            return buf.getvalue().encode("utf-8")

        def csv_ours(frame=frame) -> bytes:
            return to_csv_bytes(frame)

        t0, t1 = best(baseline, args.runs), best(ours, args.runs)
        c0, c1 = best(csv_baseline, args.runs), best(csv_ours, args.runs)
        print(
            f"{name:<12} {len(frame):>7} rows  text: to_string {t0:.3f}s, render_frame {t1:.3f}s ({t1 / t0:.2f}x)"
            f"  csv: to_csv {c0:.3f}s, to_csv_bytes {c1:.3f}s ({c1 / c0:.2f}x)"
        )


if __name__ == "__main__":
    main()
