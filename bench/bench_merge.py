"""Benchmark: the import preview over the wallet's database, next to the rule-only preview it replaced.

Two large generated Desktop Wallet documents (A, and B = A with ~1% changed and new records, see
``bench_diff.make_pair``).  The baseline is the previous ``toolkit/merge.py`` (rules on dicts, no
database), loaded from git commit ``f7f7a6e`` in the same process.  Prints both timings (best of N)
and their ratio.

    PYTHONPATH=. .venv/bin/python bench/bench_merge.py [--runs 3] [--accounts 20000]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

from toolkit.model.backup import Backup
from toolkit.ops.merge import preview_import

sys.path.insert(0, str(Path(__file__).parent))
from bench_diff import make_pair  # noqa: E402

BASELINE_COMMIT = "f7f7a6e"


def baseline_module():
    """The rule-only preview as it was before the wallet database (toolkit.ops.merge at BASELINE_COMMIT)."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(
        ["git", "show", f"{BASELINE_COMMIT}:toolkit/merge.py"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("toolkit._merge_baseline", loader=None)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    module.__package__ = "toolkit"
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, "merge_baseline.py", "exec"), module.__dict__)  # noqa: S102 - our own file from git
    return module


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--accounts", type=int, default=20_000)
    args = p.parse_args()
    old, new = make_pair(args.accounts, args.accounts, args.accounts // 2)
    new.pop("externalCredentials", None)  # same work for both (the baseline does not check foreign keys)
    a, b = Backup(old), Backup(new)
    base = baseline_module()
    t_base = best(lambda: base.preview_import(a, b), args.runs)
    t_new = best(lambda: preview_import(a, b), args.runs)
    ok = preview_import(a, b).ok
    print(f"{args.accounts:,} accounts; preview ok={ok}")
    print(f"rule-only preview (baseline {BASELINE_COMMIT}): {t_base * 1000:8.0f} ms")
    print(f"preview over the wallet's database:      {t_new * 1000:8.0f} ms  ({t_new / t_base:.2f}x)")


if __name__ == "__main__":
    main()
