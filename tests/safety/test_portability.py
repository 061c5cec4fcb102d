"""Windows and macOS: no hard dependency on POSIX-only modules.

Runs the writers and the command line in a process where ``fcntl`` (and ``termios``,
``resource``: absent on Windows too) cannot be imported, as on Windows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, make_file
from toolkit.format.jsonio import dumps_js
from toolkit.testing import synthetic

PW = "Port-pass-123"

#: Run before the code under test: these modules cannot be imported from here on.
BLOCKER = """
import importlib.abc, sys
HIDDEN = {"fcntl", "termios", "resource"}
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
for name in HIDDEN:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, Hide())
"""

SCRIPT = """
import json, os, sys, time
import toolkit
import toolkit.cli
from toolkit.cli import main
from toolkit.format import files

folder, pw = sys.argv[1], sys.argv[2]
src = os.path.join(folder, "a.json")
out = {}
backup = toolkit.open_backup(src, pw)
out["reexport"] = toolkit.reexport(backup, os.path.join(folder, "r.json"), pw).verified
out["save"] = backup.save(os.path.join(folder, "s.json"), pw).verified
out["report"] = toolkit.write_report(toolkit.audit_backup(backup), os.path.join(folder, "r.html"), backup=backup)
# a temporary file a killed writer left an hour ago is cleaned up without fcntl too
stale = os.path.join(folder, ".t.json.abcd1234.tmp")
open(stale, "wb").close()
os.utime(stale, (time.time() - 3600, time.time() - 3600))
out["stale_removed"] = files.remove_stale_temps(os.path.join(folder, "t.json")) == [stale]
out["cli_inspect"] = main(["inspect", src, "--json", "--csv-dir", os.path.join(folder, "csv")])
out["cli_reexport"] = main(["reexport", src, os.path.join(folder, "c.json"), "--json"])
out["hidden"] = sorted(m for m in ("fcntl", "termios", "resource") if m in sys.modules)
sys.stdout.flush()
print("RESULT " + json.dumps(out))
"""


def test_writers_and_cli_work_without_fcntl(tmp_path: Path):
    (tmp_path / "a.json").write_bytes(make_file(dumps_js(synthetic.desktop_document(seed=4)), PW))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCORDIUM_BACKUP")}
    env |= {"PYTHONPATH": str(ROOT), "CONCORDIUM_BACKUP_PASSWORD": PW, "CONCORDIUM_BACKUP_NEW_PASSWORD": PW}
    run = subprocess.run(
        [sys.executable, "-c", BLOCKER + SCRIPT, str(tmp_path), PW],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    line = [ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    result = json.loads(line[len("RESULT ") :])
    assert result == {
        "reexport": True,
        "save": True,
        "report": str(tmp_path / "r.html"),
        "stale_removed": True,
        "cli_inspect": 0,
        "cli_reexport": 0,
        "hidden": [],
    }
    assert (tmp_path / "csv" / "accounts.csv").is_file() and (tmp_path / "c.json").is_file()


def test_the_blocker_really_hides_fcntl():
    """The test above proves something only if ``import fcntl`` fails under the blocker."""
    run = subprocess.run([sys.executable, "-c", BLOCKER + "import fcntl"], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "No module named 'fcntl'" in run.stderr


def test_cli_help_without_fcntl():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", BLOCKER + "from toolkit.cli import main\nmain(['--help'])"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "recover-password" in run.stdout
