"""Password recovery where the system lacks SIGHUP and prctl (Windows, macOS): the same search, found the same way;
and the cluster's version check says what differs, neutralised."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, subprocess_env
from toolkit.ops.recovery.cluster import _version_notes

SCRIPT = r"""
import signal, sys, json
from tests.conftest import make_file   # (cryptography & co. loaded first: an old one crashes on a faked platform)
import toolkit.model.backup
del signal.SIGHUP                      # as on Windows
sys.platform = "darwin"                # no prctl: the parent check alone
from toolkit.ops.recovery import engines, recover_password
import toolkit.cli.recover as cli
pt = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'
data = make_file(pt, "right-one-42", iterations=1000)
result = recover_password(data, ["wrong-one-1", "wrong-one-2", "right-one-42"], workers=2)
print(json.dumps({"signals": [int(s) for s in engines.STOP_SIGNALS], "found": result.password == "right-one-42",
                  "same": cli.STOP_SIGNALS is engines.STOP_SIGNALS}))
"""


def test_a_search_without_sighup_or_prctl_works_the_same():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
        env=subprocess_env(),
    )
    assert done.returncode == 0, done.stderr.decode()
    obj = json.loads(done.stdout)
    import signal

    assert obj == {"signals": [int(signal.SIGINT), int(signal.SIGTERM)], "found": True, "same": True}


def test_version_differences_are_named_and_neutralised():
    ours = {"python": "3.11.7.final.0", "dask": "2026.8.0", "distributed": "2026.8.0", "toolkit": "0.1.0"}
    versions = {
        "client": {"packages": ours},
        "scheduler": {"packages": dict(ours, distributed="2026.7.0", toolkit=None)},
        "workers": {
            "tcp://10.0.0.7:4001": {"packages": dict(ours, toolkit="0.0.9\x1b[31m")},
            "tcp://10.0.0.8:4001": {"packages": ours},
            "tcp://\u202eevil:1": "not a dict",
        },
    }
    notes = _version_notes(versions)
    assert "the scheduler: distributed 2026.7.0, this computer 2026.8.0" in notes
    assert any(n.startswith("worker tcp://10.0.0.7:4001: toolkit 0.0.9") for n in notes)
    assert not any("\x1b" in n or "\u202e" in n for n in notes)
    assert any(n.startswith("worker tcp://\\u202eevil:1 did not say its versions") for n in notes)
    assert len(notes) == 3  # the scheduler need not have the toolkit; the same versions say nothing
    assert _version_notes({"client": {"packages": ours}, "scheduler": {"packages": ours}, "workers": {}}) == []


def test_without_dask_a_cluster_search_names_the_extra(tmp_path):
    from tests.conftest import make_file

    wallet = tmp_path / "w.json"
    wallet.write_bytes(make_file(b'{"accounts":[],"identities":[],"wallets":[]}', "right-one-42", iterations=1000))
    listing = tmp_path / "list.txt"
    listing.write_text("right-one-42\n")
    script = (
        "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
        "from toolkit.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "recover-password", str(wallet), "--candidates", str(listing)]
        + ["--cluster", "tls://127.0.0.1:1", "--json", "--no-checkpoint"],
        capture_output=True,
        timeout=120,
        env=subprocess_env(),
    )
    assert done.returncode == 2, done.stderr.decode()
    error = json.loads(done.stdout)["error"]
    assert "concordium-backup-toolkit[dask]" in error["message"] and b"Traceback" not in done.stderr
