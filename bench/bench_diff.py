"""Benchmark: diff two large generated backups, next to a bare pandas outer merge on the same keys.

Two Desktop Wallet documents of 20,000 accounts, 20,000 credentials and 10,000
address-book entries, the second with about 1% of the records renamed,
re-noted, given another policy, removed or added.  The baseline builds a
DataFrame per table from both documents and outer-merges them on the same
keys (``indicator=True``) — the least any pandas diff must do.  Prints both
timings (best of N runs, same process) and their ratio; the target is ≤ 0.5× (issue 22).

    .venv/bin/python bench/bench_diff.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import statistics
import time
from typing import Any

import orjson
import pandas as pd

from toolkit.model.backup import Backup
from toolkit.ops.diff import diff_backups
from toolkit.testing.synthetic import large_desktop_document, random_address

#: Each table and the columns its records are matched on.
KEYS = {
    "accounts": ["address"],
    "identities": ["walletId", "identityNumber"],
    "addressBook": ["address"],
    "credentials": ["credId"],
    "externalCredentials": ["credId"],
    "wallets": ["identifier"],
}


def make_pair(accounts: int, credentials: int, address_book: int, *, rate: float = 0.01, seed: int = 7):
    """(old, new): ``new`` is ``old`` with about ``rate`` of its records renamed, re-noted, re-dated,
    removed or added."""
    old = large_desktop_document(accounts, credentials, address_book, seed=seed)
    new = copy.deepcopy(old)
    rng = random.Random(seed + 1_000_003)  # not the generator's sequence: new addresses stay new

    def pick(n: int, k: int) -> list[int]:
        return sorted(rng.sample(range(n), k))

    k = max(1, int(len(new["accounts"]) * rate / 3))
    for i in pick(len(new["accounts"]), k):
        new["accounts"][i]["name"] += " (renamed)"
    gone = set(pick(len(new["accounts"]), k))
    new["accounts"] = [a for i, a in enumerate(new["accounts"]) if i not in gone]
    for _ in range(k):
        new["accounts"].append(dict(new["accounts"][0], address=random_address(rng)))
    for i in pick(len(new["addressBook"]), max(1, int(len(new["addressBook"]) * rate))):
        new["addressBook"][i]["note"] = f"note {i}"
    for i in pick(len(new["credentials"]), max(1, int(len(new["credentials"]) * rate))):
        policy = json.loads(new["credentials"][i]["policy"])
        policy["validTo"] = "209912"
        new["credentials"][i]["policy"] = json.dumps(policy, separators=(",", ":"))
    return old, new


def reference_counts(old: dict[str, Any], new: dict[str, Any], table: str) -> dict[str, int]:
    """Record counts by plain dictionaries (an independent check of the diff's summary)."""
    (key,) = KEYS[table]
    a = {r[key]: r for r in old[table]}
    b = {r[key]: r for r in new[table]}
    return {
        "added": len(b.keys() - a.keys()),
        "removed": len(a.keys() - b.keys()),
        "changed": sum(1 for k in a.keys() & b.keys() if a[k] != b[k]),
    }


def baseline(old: dict[str, Any], new: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """A bare pandas outer merge of every table on the same keys."""
    out = {}
    for table, on in KEYS.items():
        a = pd.DataFrame(old.get(table) or [])
        b = pd.DataFrame(new.get(table) or [])
        if a.empty or b.empty:
            continue
        out[table] = a.merge(b, on=on, how="outer", indicator=True, suffixes=("_old", "_new"))
    return out


def frames(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    return {t: (pd.DataFrame(old.get(t) or []), pd.DataFrame(new.get(t) or [])) for t in KEYS}


def merge_only(built: dict[str, tuple[pd.DataFrame, pd.DataFrame]]) -> None:
    """The outer merge alone, on frames built beforehand (for reference)."""
    for table, (a, b) in built.items():
        if not a.empty and not b.empty:
            a.merge(b, on=KEYS[table], how="outer", indicator=True, suffixes=("_old", "_new"))


def best_of(fn, runs: int, cpu: list[float] | None = None) -> tuple[float, list[float]]:
    """The best wall time of ``runs`` calls and all of them; ``cpu`` gets each call's CPU time."""
    times = []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
    return min(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--credentials", type=int, default=20_000)
    parser.add_argument("--address-book", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    old_doc, new_doc = make_pair(args.accounts, args.credentials, args.address_book)
    # Documents as open_backup gives them: parsed from the plaintext bytes.
    old = Backup(orjson.loads(orjson.dumps(old_doc)))
    new = Backup(orjson.loads(orjson.dumps(new_doc)))

    result = diff_backups(old, new)  # warm-up, and the correctness check below
    for table in ("accounts", "addressBook", "credentials"):
        got = {k: int(v) for k, v in result.summary.loc[table].items()}
        want = reference_counts(old.document, new.document, table)
        if got != want:
            raise SystemExit(f"wrong counts for {table}: {got} != {want}")
    baseline(old.document, new.document)

    diff_cpu: list[float] = []
    base_cpu: list[float] = []
    t_diff, diff_runs = best_of(lambda: diff_backups(old, new), args.runs, diff_cpu)
    t_base, base_runs = best_of(lambda: baseline(old.document, new.document), args.runs, base_cpu)
    built = frames(old.document, new.document)
    t_merge, _ = best_of(lambda: merge_only(built), args.runs)
    ratio = t_diff / t_base
    report = {
        "records": {t: len(old.records(t)) for t in KEYS},
        "changed_rows": len(result.changes),
        "summary": {t: {k: int(v) for k, v in c.items()} for t, c in result.summary.to_dict("index").items()},
        "diff_seconds_best": round(t_diff, 4),
        "diff_seconds_median": round(statistics.median(diff_runs), 4),
        "merge_seconds_best": round(t_base, 4),
        "merge_seconds_median": round(statistics.median(base_runs), 4),
        "merge_step_only_seconds_best": round(t_merge, 4),
        "ratio": round(ratio, 2),
        "ratio_median": round(statistics.median(diff_runs) / statistics.median(base_runs), 2),
        "ratio_cpu_median": round(statistics.median(diff_cpu) / statistics.median(base_cpu), 2),
        "load_average": round(os.getloadavg()[0], 1),
        "target": 0.5,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"records: {report['records']}")
    print(f"changes: {report['changed_rows']} rows; summary {report['summary']}")
    print(
        f"diff_backups:                best {t_diff * 1000:7.1f} ms  median {statistics.median(diff_runs) * 1000:7.1f} ms"
    )
    print(
        f"pandas frames + outer merge: best {t_base * 1000:7.1f} ms  median {statistics.median(base_runs) * 1000:7.1f} ms"
    )
    print(f"  (the merge step alone, frames built beforehand: best {t_merge * 1000:.1f} ms)")
    print(f"ratio diff / (frames + merge): {ratio:.2f}x (target <= 0.5x)")
    print(
        f"  medians: wall {report['ratio_median']:.2f}x, CPU {report['ratio_cpu_median']:.2f}x "
        f"(load average {report['load_average']}, {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
