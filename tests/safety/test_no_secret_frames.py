"""Issue 13 finding 10: no password reachable through a kept error's traceback frames.

After a failed run a form keeps its error (``form.error``) and a recovery keeps
its ``problem``; a traceback would keep every frame of the failed call alive,
and their locals hold the password.  This walks everything reachable from the
forms and results (objects, containers, exceptions, tracebacks, frames'
locals) looking for the password.
"""

from __future__ import annotations

import types

import pandas as pd
import pytest

from tests.conftest import DESKTOP, SAMPLES, make_file
from toolkit import errors
from toolkit.format import jsonio
from toolkit.testing import synthetic
from toolkit.widgets import AuditForm, DiffForm, ExportForm, MergeForm, OpenForm, SalvageForm

DAMAGED = SAMPLES / "wallet-export-bitrot.json"
TYPED = "Typed-Secret-4711"  # what a person typed: a wrong password is still a secret


def _damaged_password() -> str:
    return (SAMPLES / "wallet-export-bitrot.password").read_text().splitlines()[0]


def reachable_strings(root: object, budget: int = 300_000) -> list[str]:
    """Every str/bytes reachable from ``root`` through objects, containers, exceptions and frames."""
    seen: set[int] = set()
    stack = [root]
    found: list[str] = []
    while stack and budget:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        budget -= 1
        if isinstance(obj, str):
            found.append(obj)
        elif isinstance(obj, (bytes, bytearray)):
            found.append(bytes(obj).decode("utf-8", "replace"))
        elif isinstance(obj, (pd.DataFrame, pd.Series, types.ModuleType, type, types.FunctionType)):
            continue
        elif isinstance(obj, dict):
            stack += list(obj.keys()) + list(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack += list(obj)
        elif isinstance(obj, BaseException):
            stack += [obj.__traceback__, obj.__cause__, obj.__context__, obj.args, getattr(obj, "__dict__", {})]
        elif isinstance(obj, types.TracebackType):
            stack += [obj.tb_frame, obj.tb_next]
        elif isinstance(obj, types.FrameType):
            stack += [dict(obj.f_locals), obj.f_back]
        elif hasattr(obj, "__dict__") and type(obj).__module__.split(".")[0] in ("toolkit", "ipywidgets"):
            stack.append(vars(obj))
    return found


def assert_unreachable(root: object, secret: str) -> None:
    hits = [s for s in reachable_strings(root) if secret in s]
    assert not hits, f"{secret!r} reachable from {type(root).__name__}"


def test_open_form_wrong_password_keeps_no_frames():
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = TYPED
    assert form.run() is None and form.error.code == "wrong-password"
    assert form.error.__traceback__ is None
    assert_unreachable(form, TYPED)


def test_open_form_damaged_file_keeps_no_frames():
    from toolkit.widgets.session import Session

    password = _damaged_password()
    form = OpenForm(session=Session())  # no Salvage form on its page: nothing is handed over, nothing kept
    form.file.path.value = str(DAMAGED)
    form.password.value = password
    assert form.run() is None and form.error.code == "damaged"
    assert_unreachable(form, password)


def test_open_form_unexpected_content_keeps_no_frames(tmp_path):
    password = "content-pass-1"
    path = tmp_path / "odd.json"
    path.write_bytes(make_file(b'{"accounts":[{"x":NaN}],"identities":[],"addressBook":[]}', password, iterations=10))
    form = OpenForm()
    form.file.path.value = str(path)
    form.password.value = password
    assert form.run() is None and form.error.code == "unexpected-content"
    assert_unreachable(form, password)


def test_an_internal_error_keeps_no_frames(monkeypatch):
    from toolkit.widgets import open_form

    def broken(source, password):
        secret_copy = password + "!"  # a local holding the password
        raise KeyError(len(secret_copy))

    monkeypatch.setattr(open_form, "open_backup", broken)
    form = OpenForm()
    form.file.path.value = str(DESKTOP)
    form.password.value = TYPED
    assert form.run() is None and isinstance(form.error, KeyError)
    assert_unreachable(form, TYPED)


def test_diff_merge_salvage_audit_forms_keep_no_frames():
    diff = DiffForm()
    diff.old.path.value = diff.new.path.value = str(DESKTOP)
    diff.old_password.value = diff.new_password.value = TYPED
    merge = MergeForm()
    merge.wallet.path.value = merge.imported.path.value = str(DESKTOP)
    merge.wallet_password.value = merge.imported_password.value = TYPED
    salvage = SalvageForm()
    salvage.file.path.value = str(DESKTOP)
    salvage.password.value = TYPED
    audit = AuditForm()
    audit.file.path.value = str(DESKTOP)
    audit.password.value = TYPED
    for form in (diff, merge, salvage, audit):
        assert form.run() is None and form.error.code == "wrong-password", type(form).__name__
        assert_unreachable(form, TYPED)


def test_export_form_refused_new_password_keeps_no_frames():
    from toolkit import open_backup

    backup = open_backup(DESKTOP, (SAMPLES / "wallet-export.password").read_text().splitlines()[0])
    form = ExportForm(backup)
    form.new_password.value = form.confirm_password.value = "Qz9!x"  # 5 characters: refused
    form.path.value = "never-written.json"
    assert form.run() is None and form.error.code == "password-too-short"
    assert_unreachable(form, "Qz9!x")


def test_recovery_result_problem_keeps_no_frames():
    """A found password whose file does not open (here: NaN inside) keeps the reason, not the frames."""
    from toolkit.ops.recovery import Candidates, PasswordSearch

    password = "found-it-42"
    doc = jsonio.dumps_js(synthetic.desktop_document(identities=1, contacts=0, seed=3))
    data = make_file(doc.replace(b'"identityId":', b'"identityId":NaN,"x":', 1), password, iterations=10)
    result = PasswordSearch(data, Candidates(words=["nope-nope", password], typos=0)).run(workers=1)
    assert result.found and isinstance(result.problem, errors.BackupError)
    assert result.problem.__traceback__ is None
    # the result carries the password on purpose (result.password); nothing else may
    hits = [s for s in reachable_strings(result.problem) if password in s]
    assert not hits


@pytest.mark.parametrize("exc_chain", [2, 5])
def test_without_traceback_clears_the_whole_chain(exc_chain):
    def fail(n, secret):
        if n == 0:
            raise ValueError("inner")
        try:
            fail(n - 1, secret)
        except ValueError as exc:
            raise errors.DamagedError("outer") from exc

    try:
        fail(exc_chain, TYPED)
    except errors.BackupError as exc:
        kept = errors.without_traceback(exc)
    assert_unreachable(kept, TYPED)
