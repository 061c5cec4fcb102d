"""Benchmark: open + tabulate a large export, against the bare floor, in the same run.

    python bench/bench_open.py [--accounts 20000] [--repeat 5] [--plain] [--compare DIR] [--stages]

The file is as rich as a real wallet's (full identity objects, credential
policies that reveal attributes, a note on every address-book entry; see
``synthetic.large_desktop_document(rich=True)``); ``--plain`` makes the lean
file earlier runs measured.  ``--compare DIR`` also measures the toolkit of
another checkout (e.g. the last release, unpacked with ``git archive``) on the
same file in the same run; ``--stages`` also times each stage of the open (each in its own process), in CPU
time (on a shared machine the wall time of a stage varies more than the stage itself takes).

The floor is what any reader must do: read the file, base64-decode, PBKDF2,
AES-CBC decrypt + unpad with `cryptography`, and `json.loads` the plaintext.
Each measurement runs in its own process (so peak memory is its own); time is
the best of --repeat runs, with the medians of wall and CPU time beside it (on
a shared machine the CPU time varies least; the load average is printed);
memory is the peak RSS growth over the process's RSS after its imports (the
work's own memory), and the whole peak RSS too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"

FLOOR = r"""
import base64, json, resource, sys, time
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t, c = time.perf_counter(), time.process_time()
outer = json.loads(open(sys.argv[1], "rb").read())
m = outer["metadata"]
key = PBKDF2HMAC(hashes.SHA256(), 32, base64.b64decode(m["salt"]), m["iterations"]).derive(sys.argv[2].encode())
d = Cipher(algorithms.AES(key), modes.CBC(base64.b64decode(m["initializationVector"]))).decryptor()
raw = d.update(base64.b64decode(outer["cipherText"])) + d.finalize()
u = padding.PKCS7(128).unpadder()
doc = json.loads(u.update(raw) + u.finalize())
n = len(doc["accounts"])
dt, cpu = time.perf_counter() - t, time.process_time() - c
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "cpu": cpu, "peak_kib": peak, "work_kib": peak - base, "accounts": n}))
"""

TOOLKIT = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
import pandas  # imported before the baseline: the library, not the work
from toolkit import open_backup
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t, c = time.perf_counter(), time.process_time()
backup = open_backup(sys.argv[1], sys.argv[2])
tables = backup.tables()
n = len(tables["accounts"])
dt, cpu = time.perf_counter() - t, time.process_time() - c
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": dt, "cpu": cpu, "peak_kib": peak, "work_kib": peak - base, "accounts": n}))
"""

STAGES = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
import pandas
try:
    from toolkit.format import container as ct, jsonio
    from toolkit.model import backup as bk
except ImportError:  # --compare DIR may be a checkout from before the layers, with the old module paths
    from toolkit import backup as bk, container as ct, jsonio
t = {}
clock = time.process_time  # CPU time: what the stage itself spent, whatever else the machine runs
def lap(name, t0):
    t[name] = clock() - t0
t0 = clock(); data = ct.read_source(sys.argv[1]); lap("read file", t0)
t0 = clock(); box = ct.parse_container(data); lap("container (outer JSON, base64)", t0)
t0 = clock(); key = ct.derive_key(sys.argv[2], box.kdf); lap("PBKDF2", t0)
t0 = clock(); dec = ct.decrypt_with_key(box, key); lap("AES + unpad", t0)
t0 = clock()
with jsonio.gc_paused():
    jsonio.loads(dec.plaintext)
lap("  of which: inner JSON parse", t0)
t0 = clock(); doc = bk.parse_plaintext(dec.plaintext, dec.first_block_kind); lap("inner JSON + depth walk", t0)
t0 = clock(); b = bk.Backup(doc, kind=bk.classify(doc), plaintext=dec.plaintext, container=box); lap("classify", t0)
t0 = clock(); b.check_shape(); lap("shape check", t0)
t0 = clock(); b.tables(); lap("tables", t0)
print(json.dumps(t))
"""

MAKE = r"""
import sys
sys.path.insert(0, sys.argv[3])
from toolkit.format import container, jsonio
from toolkit.testing import synthetic
doc = synthetic.large_desktop_document(
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), rich=sys.argv[7] == "rich"
)
open(sys.argv[1], "wb").write(container.encrypt(jsonio.dumps_js(doc), sys.argv[2]))
"""


def run_once(code: str, path: Path, root: Path = ROOT) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), PASSWORD, str(root)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def best(runs: list[dict]) -> dict:
    """The fastest run, with the smallest memory figures of all runs, and the medians of wall and CPU time
    (on a shared machine the CPU time, what the process itself spent, varies far less than the wall time)."""
    out = dict(min(runs, key=lambda r: r["seconds"]))
    out["work_kib"] = min(r["work_kib"] for r in runs)
    out["peak_kib"] = min(r["peak_kib"] for r in runs)
    out["median"] = statistics.median(r["seconds"] for r in runs)
    out["cpu_median"] = statistics.median(r["cpu"] for r in runs)
    return out


def measure_all(jobs: list[tuple[str, Path]], path: Path, repeat: int) -> list[dict]:
    """Best of ``repeat`` for each (code, root), taken in turns so a busy moment hits all alike."""
    runs: list[list[dict]] = [[] for _ in jobs]
    for _ in range(repeat):
        for i, (code, root) in enumerate(jobs):
            runs[i].append(run_once(code, path, root))
    return [best(r) for r in runs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--credentials", type=int, default=20_000)
    ap.add_argument("--address-book", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--plain", action="store_true", help="the lean file (no full identity objects, no revealed attributes)"
    )
    ap.add_argument(
        "--compare", type=Path, metavar="DIR", help="also measure the toolkit in DIR (its parent of toolkit/)"
    )
    ap.add_argument("--stages", action="store_true", help="also time each stage (best of --repeat, own process)")
    args = ap.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wallet-export.json"
        # Made in a child process: Linux carries a parent's peak RSS into children it starts.
        subprocess.run(
            [
                sys.executable,
                "-c",
                MAKE,
                str(path),
                PASSWORD,
                str(ROOT),
                str(args.accounts),
                str(args.credentials),
                str(args.address_book),
                "plain" if args.plain else "rich",
            ],
            check=True,
        )
        size = os.path.getsize(path)
        jobs = [(FLOOR, ROOT), (TOOLKIT, ROOT)] + ([(TOOLKIT, args.compare.resolve())] if args.compare else [])
        floor, ours, *rest = measure_all(jobs, path, args.repeat)
        other = rest[0] if rest else None
        stages = []
        if args.stages:
            roots = [ROOT] + ([args.compare.resolve()] if args.compare else [])
            for root in roots:
                runs = [run_once(STAGES, path, root) for _ in range(args.repeat)]
                stages.append({k: min(r[k] for r in runs) for k in runs[0]})
    assert floor["accounts"] == ours["accounts"] == args.accounts
    print(
        f"file: {size / 1e6:.1f} MB, {'plain' if args.plain else 'rich as a real wallet'} ({args.accounts:,} "
        f"accounts, {args.credentials:,} credentials, {args.address_book:,} address-book entries), best of {args.repeat}"
    )
    rows = [("floor (decrypt+json.loads)", floor), ("open_backup + tables()", ours)]
    if other:
        rows.append((f"  the same, {args.compare.name}"[:28], other))
    print(f"load average before: {load[0]:.1f}, after: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    print(f"{'':28}{'time':>10}{'median':>10}{'CPU med':>10}{'work memory':>14}{'peak RSS':>12}")
    for label, r in rows:
        print(
            f"{label:28}{r['seconds']:>9.3f}s{r['median']:>9.3f}s{r['cpu_median']:>9.3f}s"
            f"{r['work_kib'] / 1024:>12.0f}MB{r['peak_kib'] / 1024:>10.0f}MB"
        )
    for label, r in rows[1:]:
        print(label.strip())
        print(f"  ratio time:          {r['seconds'] / floor['seconds']:.2f}x  (target <= 1.0x)")
        print(f"  ratio median time:   {r['median'] / floor['median']:.2f}x")
        print(f"  ratio median CPU:    {r['cpu_median'] / floor['cpu_median']:.2f}x")
        print(f"  ratio work memory:   {r['work_kib'] / max(1, floor['work_kib']):.2f}x  (target <= 1.0x)")
        print(f"  ratio peak RSS:      {r['peak_kib'] / floor['peak_kib']:.2f}x  (includes pandas' own import)")
    if stages:
        heads = ["this checkout"] + ([args.compare.name] if args.compare else [])
        print(f"stages (best of {args.repeat} each, CPU s){''.join(f'{h[:14]:>16}' for h in heads)}")
        for name in stages[0]:
            print(f"  {name:34}{''.join(f'{st[name]:>16.3f}' for st in stages)}")


if __name__ == "__main__":
    main()
