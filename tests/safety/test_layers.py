"""The package's layers hold: each imports only from the layers below it (pyproject's import-linter contracts)."""

from __future__ import annotations

import subprocess
import sys
import warnings

from tests.conftest import ROOT, subprocess_env


def test_import_contracts_are_kept():
    """``lint-imports`` over pyproject.toml: interfaces > reports > ops > model > format > errors/textsafe."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "5 kept, 0 broken" in out.stdout


def test_old_module_paths_still_import_with_a_warning():
    """``toolkit.diff`` (before the layers) is ``toolkit.ops.diff``'s functions, and says where it went."""
    import toolkit.ops.audit.rules
    import toolkit.ops.diff

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from toolkit.audit.rules import RULES
            from toolkit.diff import diff_backups
    finally:  # the stand-ins go: a later import of an old path starts afresh (tests/safety/test_old_module_paths.py)
        for name in [m for m in sys.modules if m.split(".")[:2] in (["toolkit", "audit"], ["toolkit", "diff"])]:
            del sys.modules[name]
    assert diff_backups is toolkit.ops.diff.diff_backups
    assert RULES is toolkit.ops.audit.rules.RULES
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert any("toolkit.diff is now toolkit.ops.diff" in m for m in messages), messages
    assert all(w.filename == __file__ for w in caught if w.category is DeprecationWarning)
    assert sys.modules["toolkit.ops.diff"].__name__ == "toolkit.ops.diff"  # the real module is untouched


def test_top_level_names_are_the_layered_functions():
    import toolkit
    from toolkit.model.save import save_backup
    from toolkit.ops.salvage import salvage

    assert toolkit.save_backup is save_backup
    assert toolkit.salvage_backup is salvage
    assert {"format", "model", "ops", "reports", "diff_backups", "check_ledger"} <= set(dir(toolkit))


def test_cli_independence_contract_lists_the_registered_commands():
    """The contract "CLI commands never import each other" covers exactly the command registry's modules
    (a command missing from it would silently escape the contract)."""
    import tomllib

    from toolkit.cli.registry import COMMANDS

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"].startswith("CLI commands never import each other")]
    assert sorted(contract["modules"]) == sorted(c.module_path for c in COMMANDS)


def test_the_forms_contract_names_exactly_the_registered_forms():
    """One list of forms: the independence contract in pyproject.toml, the package's exports and the desk all
    follow :data:`toolkit.widgets.registry.FORMS` (a form left out of the contract would go unchecked)."""
    import tomllib

    import toolkit.widgets
    from toolkit.widgets.registry import FORMS

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith("Forms never")]
    assert len(contracts) == 1
    assert sorted(contracts[0]["modules"]) == sorted(e.qualified for e in FORMS)
    assert {e.cls for e in FORMS} <= set(toolkit.widgets.__all__)
    for entry in FORMS:
        assert getattr(toolkit.widgets, entry.cls).__module__ == entry.qualified
    desk = toolkit.widgets.support_desk()
    assert list(desk.forms) == [e.key for e in FORMS]
    assert [type(f).__name__ for f in desk.forms.values()] == [e.cls for e in FORMS]


def test_no_import_cycle_in_the_widgets():
    """The widgets' modules import each other in one direction only (grimp, import-linter's graph)."""
    import grimp

    graph = grimp.build_graph("toolkit")
    modules = sorted(m for m in graph.modules if m.startswith("toolkit.widgets."))
    for a in modules:
        for b in modules:
            if a != b and graph.direct_import_exists(importer=a, imported=b):
                assert not graph.chain_exists(importer=b, imported=a), f"{a} <-> {b}"
