"""Benchmark: peak memory and time of ``inspect``, ``audit`` and ``diff`` on a large address book.

    python bench/bench_size_limit.py [--entries 300000] [--repeat 1] [--shape typical|worst|jsontext|containers]
                                     [--commands inspect,inspect --json,audit --json,diff --json]

Shapes ``jsontext`` and ``containers`` are the crafted worst cases of issue 21 #8, sized with ``--entries``
(``{}`` entries; 24,000,000 fill a 96 MiB file): one identity whose identityObject (JSON text) holds
``[{},{},...]``, and an address book of ``{}`` entries; each ``{},`` is 3 bytes of text and 60-160 bytes
of memory once parsed.  Both are refused before they are parsed (``unexpected-content``).

The review's file: 250 MB, 1.8 M address-book entries (about 140 bytes each).
This makes such a file at the chosen size (a real Desktop Wallet sample's
accounts and identities, plus ``--entries`` generated contacts), runs each
command in its own process under ``/usr/bin/time -v`` style accounting
(``RUSAGE_CHILDREN``), and prints peak RSS and wall time beside the floor
(read + decrypt + ``json.loads``) in the same run, with the ratios to the file
size that set :data:`toolkit.format.container.MAX_FILE_SIZE`.
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
sys.path.insert(0, sys.argv[3])
from toolkit.format import container, jsonio
from toolkit.testing import synthetic
rng = random.Random(7)
doc = synthetic.desktop_document(identities=2, contacts=0, seed=7)
n, shape = int(sys.argv[4]), sys.argv[5]
raw = None
if shape == "typical":
    book = [{"name": f"Contact {i} {rng.randbytes(6).hex()}", "address": synthetic.random_address(rng),
             "note": f"note {i}", "readOnly": False} for i in range(n)]
elif shape == "worst":  # the smallest entries, each one a finding (an address that is not one)
    book = [{"name": "c", "address": f"x{i}", "readOnly": False} for i in range(n)]
elif shape == "jsontext":  # one identity's identityObject: "[{},{},...]"
    book = []
    doc["identities"][0]["identityObject"] = "@@RAW@@"
    raw = b'"[' + b",".join([b"{}"] * n) + b']"'
else:  # "containers": an address book of {} entries
    book = ["@@RAW@@"]
    raw = b",".join([b"{}"] * n)
doc["addressBook"] = book
plain = jsonio.dumps_js(doc)
if raw is not None:
    plain = plain.replace(b'"@@RAW@@"', raw)
open(sys.argv[1], "wb").write(container.encrypt(plain, sys.argv[2], iterations=1000))
"""

FLOOR = r"""
import base64, json, sys
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
outer = json.loads(open(sys.argv[1], "rb").read())
m = outer["metadata"]
key = PBKDF2HMAC(hashes.SHA256(), 32, base64.b64decode(m["salt"]), m["iterations"]).derive(sys.argv[2].encode())
d = Cipher(algorithms.AES(key), modes.CBC(base64.b64decode(m["initializationVector"]))).decryptor()
raw = d.update(base64.b64decode(outer["cipherText"])) + d.finalize()
u = padding.PKCS7(128).unpadder()
doc = json.loads(u.update(raw) + u.finalize())
"""


def run_child(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one child process, run in the checkout its PYTHONPATH names (``-m toolkit``
    imports from the working directory first)."""
    return _run_child(argv, env, Path(env["PYTHONPATH"]))


def _run_child(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one child process (each measured in a fresh wrapper process)."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "dt = time.perf_counter() - t\n"
        "print(json.dumps([rc, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, *argv], capture_output=True, text=True, env=env, check=True, cwd=cwd
    )
    rc, seconds, kib = json.loads(out.stdout)
    if rc not in (0, 1, 2):  # 2: a coded refusal (the crafted shapes' unexpected-content)
        raise SystemExit(f"{argv[3:5]} exited {rc}")
    return seconds, kib / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument(
        "--shape",
        choices=("typical", "worst", "jsontext", "containers"),
        default="typical",
        help="typical contacts (~190 bytes each), the worst case: tiny entries that are each a finding, or the "
        "crafted ones: {} entries inside an identity's JSON text or as the address book",
    )
    ap.add_argument("--commands", default="inspect,inspect --json,audit --json,diff --json")
    ap.add_argument(
        "--baseline",
        metavar="DIR",
        help="also run the commands with the toolkit of another checkout (e.g. the code before a change), "
        "on the same file in the same run",
    )
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CONCORDIUM_BACKUP_PASSWORD": PASSWORD}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wallet-export.json"
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", MAKE, str(path), PASSWORD, str(ROOT), str(args.entries), args.shape], check=True
        )
        made = time.perf_counter() - t
        size_mb = os.path.getsize(path) / 1e6
        cli = [sys.executable, "-m", "toolkit"]
        other = Path(tmp) / "wallet-export-2.json"  # diff opens two files: both are parsed
        if args.shape in ("jsontext", "containers"):  # one entry fewer: the crafted parts differ (and are compared)
            make = [sys.executable, "-c", MAKE, str(other), PASSWORD, str(ROOT), str(args.entries - 1), args.shape]
            subprocess.run(make, check=True)
        else:
            other.write_bytes(path.read_bytes())
        commands = {
            "inspect": [*cli, "inspect", str(path)],
            "inspect --json": [*cli, "inspect", str(path), "--json"],
            "audit --json": [*cli, "audit", str(path), "--json"],
            "diff --json": [*cli, "diff", str(path), str(other), "--json"],
        }
        runs = {"floor (decrypt+json.loads)": [sys.executable, "-c", FLOOR, str(path), PASSWORD]}
        runs.update({name: commands[name] for name in args.commands.split(",")})
        plan = [(label, argv, env) for label, argv in runs.items()]
        if args.baseline:
            base_env = {**env, "PYTHONPATH": str(Path(args.baseline).resolve())}
            plan += [(f"{label} (baseline)", commands[label], base_env) for label in args.commands.split(",")]
        results = {}
        for label, argv, run_env in plan:
            best = min((run_child(argv, run_env) for _ in range(args.repeat)), key=lambda r: r[0])
            results[label] = best
    print(f"file: {size_mb:.1f} MB, {args.entries:,} {args.shape} address-book entries (made in {made:.0f}s)")
    print(f"{'':28}{'time':>9}{'peak RSS':>11}{'RSS/file':>10}")
    floor_t, floor_m = results["floor (decrypt+json.loads)"]
    for label, (sec, mb) in results.items():
        print(
            f"{label:28}{sec:>8.1f}s{mb:>9.0f}MB{mb / size_mb:>9.1f}x   ({sec / floor_t:.1f}x / {mb / floor_m:.1f}x floor)"
        )


if __name__ == "__main__":
    main()
