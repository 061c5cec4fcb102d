"""Issue 13 finding 3: odd values inside a correctly decrypted file never end in an internal error.

Every field of the samples is type-confused (hypothesis), the file encrypted
with the library's writer, and every command (inspect text/--json/--csv-dir,
diff both ways, merge --dry-run and write, reexport, audit, salvage, ledger
FILE against no device) and every form's ``run()`` is driven on it: the only
acceptable outcomes are success or an error with a documented code.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from toolkit import errors, open_backup
from toolkit.cli import main
from toolkit.format import container, jsonio

PW = "odd-values-pass"
#: Examples per sample kind (each runs 13 commands and 7 forms); raise it to search longer.
EXAMPLES = int(os.environ.get("ODD_VALUES_EXAMPLES", "20"))
DOCUMENTED = {cls.code for cls in errors.all_error_classes()}
SAMPLE_FILES = {"desktop": "wallet-export.json", "legacy": "concordium-backup.concordiumwallet"}


def _sample(kind: str) -> tuple[Any, bool]:
    path = SAMPLES / SAMPLE_FILES[kind]
    password = (SAMPLES / (path.name.rsplit(".", 1)[0] + ".password")).read_text().splitlines()[0]
    backup = open_backup(path, password)
    return backup.document, backup.is_legacy


DOCS = {kind: _sample(kind) for kind in SAMPLE_FILES}


def paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a document (object keys, the first two items of lists)."""
    out: list[tuple] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            out.append((*prefix, key))
            out += paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj[:2]):
            out.append((*prefix, i))
            out += paths(value, (*prefix, i))
    return out


PATHS = {kind: paths(doc) for kind, (doc, _) in DOCS.items()}


class Raw(str):
    """JSON text put into the document as is (nesting too deep to build by recursion)."""


def nested(depth: int) -> Raw:
    return Raw('{"k":[' * (depth // 2) + "1" + "]}" * (depth // 2))


def nested_string(depth: int) -> str:
    """A JSON string holding deeply nested JSON (like an identityObject field)."""
    return "[" * depth + "]" * depth


ODD_SCALARS = st.sampled_from(
    [1.5, -0.0, 1e300, 10**20, -(2**70), 10**4000, True, False, None, "", "\ud800", "x\udfffy", "\u202e\x1b[2J", 0]
)
odd_values = st.one_of(
    ODD_SCALARS,
    st.lists(ODD_SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["a", "value", "attributeList", "validTo"]), ODD_SCALARS, max_size=3),
    st.sampled_from([nested(60), nested(150), nested(950), nested_string(950), nested_string(3000)]),
    st.text(max_size=12),
    st.integers(),
)


def confused(kind: str, where: tuple, value: Any) -> bytes:
    doc, legacy = DOCS[kind]
    copy = jsonio.loads(jsonio.dumps_js(doc))
    node = copy
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = "@@RAW@@" if isinstance(value, Raw) else value
    plaintext = (jsonio.dumps_gson if legacy else jsonio.dumps_js)(copy)
    if isinstance(value, Raw):
        placeholder = (jsonio.dumps_gson if legacy else jsonio.dumps_js)("@@RAW@@")
        plaintext = plaintext.replace(placeholder, value.encode())
    return container.encrypt(plaintext, PW, iterations=1, layout="legacy" if legacy else "desktop")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def assert_ends_well(argv: list[str]) -> None:
    code, err = run_cli(argv)
    assert "Internal error" not in err, (argv[0], err)
    assert code in (0, 1, 2), (argv[0], code, err)
    for line in err.splitlines():
        if line.startswith("concordium-backup: ") and line.count(":") >= 2:
            used = line.split(":")[1].strip()
            if used != "interrupted":
                assert used in DOCUMENTED, (argv[0], line)


def every_command(odd: Path, plain: Path, tmp: Path, pw: Path) -> None:
    p = ["--password-file", str(pw)]
    commands = [
        ["inspect", str(odd), *p],
        ["inspect", str(odd), *p, "--json"],
        ["inspect", str(odd), *p, "--all-columns", "--reveal-secrets"],
        ["inspect", str(odd), *p, "--csv-dir", str(tmp / "csv"), "--force"],
        ["diff", str(plain), str(odd), *p],
        ["diff", str(odd), str(plain), *p, "--json"],
        ["merge", str(plain), str(odd), *p, "--dry-run"],
        ["merge", str(odd), str(plain), *p, str(tmp / "merged.json"), "--new-password-file", str(pw), "--force"],
        ["reexport", str(odd), str(tmp / "re.json"), *p, "--new-password-file", str(pw), "--force"],
        ["audit", str(odd), *p, "--json"],
        ["audit", str(odd), *p, "--report", str(tmp / "r.html"), "--force"],
        ["salvage", str(odd), str(tmp / "s.json"), *p, "--force"],
        ["ledger", str(odd), *p, "--tcp", f"127.0.0.1:{closed_port()}", "--timeout", "1"],
    ]
    for argv in commands:
        assert_ends_well(argv)


_FORMS: dict[str, Any] = {}


def every_form(odd: Path, plain: Path) -> None:
    from toolkit.widgets import AuditForm, DiffForm, ExportForm, LedgerForm, MergeForm, OpenForm, SalvageForm

    if not _FORMS:
        _FORMS.update(open=OpenForm(), diff=DiffForm(), merge=MergeForm(), audit=AuditForm(), salvage=SalvageForm())
    f = _FORMS
    f["open"].file.path.value = str(odd)
    backup = f["open"].run(password=PW)
    f["diff"].old.path.value, f["diff"].new.path.value = str(plain), str(odd)
    f["diff"].old_password.value = f["diff"].new_password.value = PW
    f["merge"].wallet.path.value, f["merge"].imported.path.value = str(plain), str(odd)
    f["merge"].wallet_password.value = f["merge"].imported_password.value = PW
    f["audit"].file.path.value = f["salvage"].file.path.value = str(odd)
    f["audit"].password.value = f["salvage"].password.value = PW
    forms = [f["open"], f["diff"], f["merge"], f["audit"], f["salvage"]]
    for form in forms[1:]:
        form.run()
    if backup is not None:
        export = ExportForm(backup)
        export.download.value = True
        export.new_password.value = export.confirm_password.value = PW
        export.run()
        ledger = LedgerForm(backup, connection=f"127.0.0.1:{closed_port()}", timeout=1)
        ledger.run()
        forms += [export, ledger]
    for form in forms:
        err = form.error
        assert err is None or (isinstance(err, errors.BackupError) and err.code in DOCUMENTED), (
            type(form).__name__,
            repr(err),
        )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("odd")
    pw = tmp / "pw.txt"
    pw.write_text(PW + "\n")
    plains = {}
    for kind, (doc, legacy) in DOCS.items():
        plain = tmp / f"plain-{kind}.json"
        text = (jsonio.dumps_gson if legacy else jsonio.dumps_js)(doc)
        plain.write_bytes(container.encrypt(text, PW, iterations=1, layout="legacy" if legacy else "desktop"))
        plains[kind] = plain
    return tmp, pw, plains


# The crash sites the review found, each named: these failed before the fix.
REPORTED = [
    ("desktop", ("accounts", 0, "identityId"), 1.5),
    ("desktop", ("accounts", 0, "status"), ["confirmed"]),
    ("desktop", ("accounts", 0, "address"), ["x"]),
    ("desktop", ("identities", 0, "walletId"), [1]),
    ("desktop", ("accounts", 0, "identityId"), 10**4000),
    ("desktop", ("accounts", 0, "name"), "\ud800"),
    ("desktop", ("accounts", 0, "unknownField"), nested(900)),
    ("desktop", ("accounts", 0, "unknownField"), nested(990)),
    ("desktop", ("identities", 0, "identityObject"), nested_string(990)),
    ("legacy", ("value", "identities", 0, "accounts", 0, "address"), {"a": 1}),
    ("legacy", ("value", "recipients", 0, "address"), 1.5),
    # found by the property test
    ("desktop", ("genesis", "genesisBlock"), "\ud800"),  # the HTML report's summary
    ("legacy", ("value", "identities", 1, "accounts", 0, "accountKeys", "keys"), 10**400),
]


@pytest.mark.parametrize(
    ("kind", "where", "value"), REPORTED, ids=[f"{k}-{'.'.join(map(str, w))}" for k, w, _ in REPORTED]
)
def test_reported_odd_values_end_well_in_every_command(kind, where, value, workdir):
    tmp, pw, plains = workdir
    odd = tmp / "odd.json"
    odd.write_bytes(confused(kind, where, value))
    every_command(odd, plains[kind], tmp, pw)


@pytest.mark.parametrize("kind", sorted(SAMPLE_FILES))
def test_type_confused_fields_end_well_everywhere(kind, workdir):
    tmp, pw, plains = workdir

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(where=st.sampled_from(PATHS[kind]), value=odd_values)
    def check(where, value):
        odd = tmp / f"odd-{kind}.json"
        odd.write_bytes(confused(kind, where, value))
        every_command(odd, plains[kind], tmp, pw)
        every_form(odd, plains[kind])

    check()


# ---------------------------------------------------------------- inside JSON-text fields (issue 21 #9)

#: Desktop fields that hold JSON as text; their insides are type-confused too.
TEXT_FIELDS = [("identities", 0, "identityObject"), ("identities", 0, "identityProvider"), ("credentials", 0, "policy")]


def _text_paths() -> list[tuple[tuple, tuple]]:
    doc, _ = DOCS["desktop"]
    out = []
    for where in TEXT_FIELDS:
        node = doc
        for key in where:
            node = node[key]
        out += [(where, inner) for inner in paths(jsonio.loads(node))]
    return out


TEXT_PATHS = _text_paths()


def confused_inside(where: tuple, inner: tuple, value: Any) -> bytes:
    """The Desktop sample with the value at ``inner`` inside the JSON text at ``where`` replaced."""
    doc, _ = DOCS["desktop"]
    copy = jsonio.loads(jsonio.dumps_js(doc))
    node = copy
    for key in where[:-1]:
        node = node[key]
    content = jsonio.loads(node[where[-1]])
    spot = content
    for key in inner[:-1]:
        spot = spot[key]
    spot[inner[-1]] = "@@RAW@@" if isinstance(value, Raw) else value
    text = jsonio.dumps_js(content).decode("utf-8", "surrogatepass")
    if isinstance(value, Raw):
        text = text.replace('"@@RAW@@"', value)
    node[where[-1]] = text
    plaintext = jsonio.dumps_js(copy)
    return container.encrypt(plaintext, PW, iterations=1, layout="desktop")


MAX_ACCOUNTS = ("value", "attributeList", "maxAccounts")
# The crash sites the review found inside JSON text (these failed before the fix: internal errors).
REPORTED_INSIDE = [
    (("identities", 0, "identityObject"), MAX_ACCOUNTS, "many"),
    (("identities", 0, "identityObject"), MAX_ACCOUNTS, 1.5),
    (("identities", 0, "identityObject"), MAX_ACCOUNTS, 1e308),
    (("identities", 0, "identityObject"), MAX_ACCOUNTS, 10**30),
    (("identities", 0, "identityObject"), ("value", "attributeList"), nested(1000)),
    (("identities", 0, "identityObject"), ("value", "attributeList", "createdAt"), ["202001"]),
    (("identities", 0, "identityProvider"), ("ipInfo", "ipDescription", "name"), {"a": 1}),
    (("credentials", 0, "policy"), ("revealedAttributes",), ["firstName"]),
]


@pytest.mark.parametrize(
    ("where", "inner", "value"),
    REPORTED_INSIDE,
    ids=[f"{w[-1]}.{'.'.join(map(str, i))}={v if not isinstance(v, Raw) else 'deep'}" for w, i, v in REPORTED_INSIDE],
)
def test_reported_odd_values_inside_json_text_end_well_everywhere(where, inner, value, workdir):
    tmp, pw, plains = workdir
    odd = tmp / "odd-inside.json"
    odd.write_bytes(confused_inside(where, inner, value))
    every_command(odd, plains["desktop"], tmp, pw)
    every_form(odd, plains["desktop"])


@pytest.mark.parametrize("value", ["many", 1.5, 1e308])
def test_max_accounts_of_another_type_is_unexpected_content_naming_record_and_field(value, workdir):
    tmp, pw, _ = workdir
    odd = tmp / "odd-max.json"
    odd.write_bytes(confused_inside(("identities", 0, "identityObject"), MAX_ACCOUNTS, value))
    backup = open_backup(odd, PW)
    with pytest.raises(errors.UnexpectedContentError) as caught:
        backup.tables()
    assert "identities[0]" in caught.value.message
    assert "identityObject.attributeList.maxAccounts" in caught.value.message
    code, err = run_cli(["inspect", str(odd), "--password-file", str(pw), "--json"])
    assert code == 2 and "unexpected-content" in err and "maxAccounts" in err


def test_type_confused_insides_of_json_text_end_well_everywhere(workdir):
    tmp, pw, plains = workdir

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(spot=st.sampled_from(TEXT_PATHS), value=odd_values)
    def check(spot, value):
        odd = tmp / "odd-inside.json"
        odd.write_bytes(confused_inside(spot[0], spot[1], value))
        every_command(odd, plains["desktop"], tmp, pw)
        every_form(odd, plains["desktop"])

    check()


def test_a_lone_surrogate_in_revealed_legacy_secrets_is_shown(workdir):
    """Found by the property test: --reveal-secrets serialised nested secrets with orjson, which refuses it."""
    tmp, pw, plains = workdir
    odd = tmp / "odd.json"
    odd.write_bytes(confused("legacy", ("value", "identities", 1, "privateIdObjectData", "aci"), "\ud800"))
    every_command(odd, plains["legacy"], tmp, pw)
