"""Without an extra, what needs it says which one to install (exit 2 / ``missing-extra``), never an ImportError.

Each check runs in a fresh interpreter whose import system refuses the extra's
modules (a meta-path finder that raises ``ModuleNotFoundError`` for them, as a
venv without the extra would), then drives the real CLI or library there.  The core
(open, tables, diff...) keeps working with every extra refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT, SAMPLES
from toolkit import errors
from toolkit.extras import EXTRAS, install_command, require

#: What each extra brings that the toolkit imports.
MODULES = {
    "ledger": ["ledgerblue", "hid"],
    "dask": ["distributed", "dask"],
    "notebook": ["ipywidgets", "anywidget", "voila", "jupyterlab", "ipykernel"],
}
SAMPLE = SAMPLES / "wallet-export.json"
SAMPLE_PASSWORD = SAMPLES / "wallet-export.password"

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, sys
    BLOCKED = {blocked!r}

    class Refuse(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, Refuse())
    """
)


def run_without(extras: list[str], code: str, *, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where the modules of ``extras`` cannot be imported."""
    blocked = sorted({m for extra in extras for m in MODULES[extra]})
    script = BLOCKER.format(blocked=blocked) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("CONCORDIUM_")}, "PYTHONPATH": str(ROOT)},
    )


def cli_without(extras: list[str], *argv: str) -> subprocess.CompletedProcess[str]:
    return run_without(extras, f"from toolkit.cli import main\nsys.exit(main({list(argv)!r}))")


def assert_names_extra(out: subprocess.CompletedProcess[str], extra: str) -> None:
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr and "ImportError" not in out.stderr + out.stdout
    assert "missing-extra" in out.stderr
    assert install_command(extra) in out.stderr, out.stderr
    assert f"pip install 'concordium-backup-toolkit[{extra}]'" in out.stderr


def test_the_install_command_is_quoted_for_every_shell() -> None:
    assert install_command("ledger") == "pip install 'concordium-backup-toolkit[ledger]'"
    assert set(EXTRAS) == {"ledger", "dask", "notebook"}


def test_require_gives_the_module_or_a_coded_error() -> None:
    assert require("notebook", "json").__name__ == "json"
    with pytest.raises(errors.MissingExtraError) as caught:
        require("dask", "a_module_that_is_not_there_at_all")
    err = caught.value
    assert err.code == "missing-extra" and err.extra == "dask"
    assert not isinstance(err, ImportError)
    assert install_command("dask") in err.message and "\n" not in err.message
    assert err.to_dict()["code"] == "missing-extra"
    with pytest.raises(ValueError):
        require("gpu", "json")


def test_ledger_command_without_the_ledger_extra_exits_2_naming_it() -> None:
    assert_names_extra(cli_without(["ledger"], "ledger", "--tcp", "127.0.0.1:9"), "ledger")


def test_ledger_command_says_so_before_asking_for_a_password() -> None:
    out = cli_without(["ledger"], "ledger", str(SAMPLE))  # no password file: it would prompt
    assert_names_extra(out, "ledger")
    assert "assword" not in out.stderr.split("missing-extra")[0]


def test_ledger_command_json_error_is_missing_extra() -> None:
    out = cli_without(["ledger"], "ledger", "--tcp", "127.0.0.1:9", "--json")
    assert out.returncode == 2
    assert json.loads(out.stdout)["error"]["code"] == "missing-extra"


def test_check_ledger_without_the_extra_raises_missing_extra() -> None:
    out = run_without(
        ["ledger"],
        """
        from toolkit import check_ledger, errors
        try:
            check_ledger(tcp="127.0.0.1:9", timeout=0.5)
        except errors.MissingExtraError as exc:
            print(exc.code, exc.extra, exc.message)
        """,
    )
    assert out.stdout.startswith("missing-extra ledger "), out.stdout + out.stderr
    assert install_command("ledger") in out.stdout


def test_recovery_on_a_cluster_without_the_dask_extra_exits_2_naming_it(tmp_path) -> None:
    candidates = SAMPLES / "forgotten-candidates.txt"
    out = cli_without(
        ["dask"],
        "recover-password",
        str(SAMPLES / "wallet-export-forgotten.json"),
        "--candidates",
        str(candidates),
        "--cluster",
        "tcp://127.0.0.1:9",
        "--insecure-cluster",  # plain tcp:// must be allowed explicitly, else that is the first refusal
        "--no-checkpoint",
        "--no-progress",
    )
    assert_names_extra(out, "dask")


def test_local_recovery_needs_no_extra() -> None:
    out = cli_without(
        ["dask", "ledger", "notebook"],
        "recover-password",
        str(SAMPLES / "wallet-export-forgotten.json"),
        "--candidates",
        str(SAMPLES / "forgotten-candidates.txt"),
        "--no-checkpoint",
        "--no-progress",
        "--typos",
        "1",
        "--workers",
        "1",
        "--json",
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["found"] is True


def test_forms_without_the_notebook_extra_raise_missing_extra() -> None:
    out = run_without(
        ["notebook"],
        """
        import toolkit
        from toolkit import errors
        for get in (lambda: __import__("toolkit.widgets").widgets.OpenForm, lambda: toolkit.widgets):
            try:
                get()
            except errors.MissingExtraError as exc:
                print(exc.code, exc.extra, exc.message)
        """,
    )
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stdout + out.stderr
    assert all(line.startswith("missing-extra notebook ") for line in lines)
    assert install_command("notebook") in lines[0]


def test_desk_without_the_notebook_extra_exits_2_naming_it() -> None:
    assert_names_extra(cli_without(["notebook"], "desk", "--port", "1"), "notebook")


def test_the_core_works_with_every_extra_refused() -> None:
    """open, tables, diff, audit, samples: none of them needs an extra."""
    base = ["inspect", str(SAMPLE), "--password-file", str(SAMPLE_PASSWORD)]
    all_extras = list(MODULES)
    assert cli_without(all_extras, *base).returncode == 0
    assert cli_without(all_extras, *base, "--table", "accounts").returncode == 0
    later = SAMPLES / "wallet-export-later.json"
    assert (
        cli_without(all_extras, "diff", str(SAMPLE), str(later), "--password-file", str(SAMPLE_PASSWORD)).returncode
        == 0
    )
    assert cli_without(all_extras, "audit", str(SAMPLE), "--password-file", str(SAMPLE_PASSWORD)).returncode in (0, 1)
    out = cli_without(all_extras, "--help")
    assert out.returncode == 0 and "ledger" in out.stdout and "desk" in out.stdout and "samples" in out.stdout
