"""Benchmark: salvage's time on crafted files grows linearly with their size (issue 21 #6).

    python bench/bench_salvage.py [--sizes 0.125,0.25,0.5,1,4,16] [--cap 90] [--shapes braces,keys,nested,damaged]

Each shape is a backup whose decrypted text (the right password) is crafted, at each size in MB:

- ``braces``: ``{{{{...``: the worst case for the old scan, which tried a decode at every ``{`` over the
  whole text, and each failed decode's error counted the lines from the start of the text (quadratic);
- ``keys``: ``{"a":{"a":...`` never closed: every candidate is an object's start and runs deep (the new
  scan's worst: each attempt reads until the parser's nesting limit);
- ``nested``: ``{"a":[1,1,...,{"a":[1,1,...`` about 900 levels deep, never closed: each level's attempt
  reads to the end of the text (superlinear for any scan that tries every start; the work budget ends it);
- ``damaged``: a real-shaped Desktop export (generated contacts) with one damaged block every 64 KB: the
  case salvage is for.

Each run is its own process (``salvage()`` from the file, timed around the call); the old scan (the code
before issue 21, copied below as the baseline) runs in the same way with ``--cap`` seconds at most (and
not on larger files once it took longer).
Printed: seconds (the fastest of ``--repeat`` runs of the new scan: the machine may be shared), seconds per
MB, the ratios of the 4 MB to the 1 MB time and of 16 MB to 4 MB (4.0 is
linear), and how the new scan ended (``stopped``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"

MAKE = r"""
import random, sys
sys.path.insert(0, sys.argv[1])
from toolkit.format import container, jsonio
from toolkit.testing import synthetic
out, shape, size = sys.argv[2], sys.argv[3], int(float(sys.argv[4]) * 1_000_000)
plain_size = size * 3 // 4  # the file is base64 of the ciphertext
# A Desktop export's start, then a byte that is not JSON (so the file reads as damaged, not as content no
# wallet writes), then the crafted text.
head = b'{"accounts":[x'
if shape == "braces":
    plain = head + b"{" * plain_size
elif shape == "keys":
    plain = head + b'{"a":' * (plain_size // 5)
elif shape == "nested":
    level = plain_size // 900
    plain = head + b"".join(b'{"a":[' + b"1," * ((level - 6) // 2) for _ in range(900))
else:  # damaged
    rng = random.Random(3)
    doc = synthetic.desktop_document(identities=3, contacts=0, seed=3)
    book, used = [], 0
    while used < plain_size:
        entry = {"name": f"Contact {len(book)} {rng.randbytes(5).hex()}", "address": synthetic.random_address(rng),
                 "note": "x" * rng.randrange(0, 60), "readOnly": False}
        used += len(jsonio.dumps_js(entry)) + 1
        book.append(entry)
    doc["addressBook"] = book
    plain = jsonio.dumps_js(doc)
data = container.encrypt(plain, sys.argv[5], iterations=1000)
if shape == "damaged":
    import base64
    box = jsonio.loads(data)
    ct = bytearray(base64.b64decode(box["cipherText"]))
    for at in range(4096, len(ct) - 32, 65536):
        ct[at] ^= 0x5A
    box["cipherText"] = base64.b64encode(bytes(ct)).decode()
    data = jsonio.dumps_js(box)
open(out, "wb").write(data)
"""

RUN = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from toolkit import errors
from toolkit.ops import salvage as sv
if sys.argv[3] == "old":
    def _scan(text, regions, shapes, extra=(), work=None):
        # The scan before issue 21 (a decode at every "{" over the whole text), for the baseline.
        records = {k: [] for k in shapes}
        damaged = {}
        pos = 0
        for region in regions:
            allowed = region.allowed + tuple(k for k in extra if k not in region.allowed)
            i = last = max(region.start, pos)
            junk = 0
            while True:
                j = text.find("{", i, region.end)
                if j < 0:
                    break
                try:
                    obj, e = sv._DECODER.raw_decode(text, j)
                except (ValueError, RecursionError):
                    i = j + 1
                    continue
                kind = sv._accept(obj, shapes, allowed)
                if kind is None or sv._SURROGATE.search(text, j, e):
                    i = j + 1
                    continue
                junk += sv._junk(text[last:j])
                records[kind].append(obj)
                i = last = e
            pos = max(pos, last)
            junk += sv._junk(text[last : region.end]) if last < region.end else 0
            if junk:
                damaged[region.name] = damaged.get(region.name, 0) + junk
        return records, damaged
    sv._scan = _scan
t = time.perf_counter()
try:
    r = sv.salvage(sys.argv[2], sys.argv[4])
    outcome = {"records": sum(r.recovered.values()), "stopped": r.stopped}
except errors.BackupError as exc:
    outcome = {"error": exc.code, "stopped": "budget" if "work budget" in exc.message else None}
outcome["seconds"] = time.perf_counter() - t
print(json.dumps(outcome))
"""


def run(path: Path, which: str, cap: float) -> dict:
    """One salvage in its own process; ``{"seconds": None}`` when it took longer than ``cap``."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", RUN, str(ROOT), str(path), which, PASSWORD],
            capture_output=True,
            text=True,
            timeout=cap,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None}
    return json.loads(out.stdout.strip().splitlines()[-1])


def ratio(a: float | None, b: float | None) -> str:
    return f"{b / a:5.1f}" if a and b else "    -"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.125,0.25,0.5,1,4,16", help="file sizes in MB, comma-separated")
    ap.add_argument("--cap", type=float, default=90.0, help="seconds the old scan may take per file")
    ap.add_argument("--shapes", default="braces,keys,nested,damaged")
    ap.add_argument("--no-old", action="store_true", help="skip the baseline")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the new scan per file (the fastest counts)")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    print(f"{'shape':8} {'MB':>5} {'new s':>8} {'s/MB':>6} {'new ended':>18} {'old s':>9} {'s/MB':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes.split(","):
            new_times: list[float | None] = []
            old_times: list[float | None] = []
            old_capped = args.no_old
            for mb in sizes:
                path = Path(tmp) / f"{shape}-{mb:g}.json"
                subprocess.run([sys.executable, "-c", MAKE, str(ROOT), str(path), shape, str(mb), PASSWORD], check=True)
                real_mb = os.path.getsize(path) / 1e6
                runs = [run(path, "new", 30 * args.cap) for _ in range(args.repeat)]
                new = min(runs, key=lambda r: r["seconds"] if r["seconds"] is not None else float("inf"))
                old = {"seconds": None} if old_capped else run(path, "old", args.cap)
                old_capped = old_capped or old["seconds"] is None  # a larger file only takes longer
                new_times.append(new["seconds"])
                old_times.append(old["seconds"])
                ended = new.get("error") or f"{new.get('records', 0)} records"
                ended += f", {new['stopped']}" if new.get("stopped") else ""
                old_s = f"{old['seconds']:9.2f}" if old["seconds"] is not None else f">{args.cap:7.0f}s"
                old_mb = f"{old['seconds'] / real_mb:7.2f}" if old["seconds"] is not None else "      -"
                new_s = new["seconds"] or 0.0
                print(
                    f"{shape:8} {real_mb:5.1f} {new_s:8.2f} {new_s / real_mb:6.2f} {ended:>18} {old_s} {old_mb}",
                    flush=True,
                )
                path.unlink()
            for label, times in (("new", new_times), ("old", old_times)):
                pairs = [
                    f"{sizes[k + 1]:g}/{sizes[k]:g}: {ratio(times[k], times[k + 1])}" for k in range(len(sizes) - 1)
                ]
                print(f"{'':8} {label} time ratios  " + "   ".join(pairs))
            time.sleep(0.1)


if __name__ == "__main__":
    main()
