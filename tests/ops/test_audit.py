"""Audit: every rule fires on a file made to break it and stays quiet on a clean one; CLI and reports."""

from __future__ import annotations

import copy
import json
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import VECTOR_FILES, make_file
from toolkit import errors
from toolkit.cli import main
from toolkit.format import jsonio
from toolkit.model import kinds
from toolkit.model.addresses import address_from_bytes
from toolkit.model.backup import Backup, open_backup
from toolkit.model.records import record_key
from toolkit.ops.audit import FINDING_COLUMNS, RULE_BY_ID, RULES, SEVERITIES, audit, has_failures, rules_table
from toolkit.ops.diff import diff_backups
from toolkit.reports.report import render_html, write_report
from toolkit.testing.synthetic import desktop_document, legacy_document

TODAY = date(2025, 6, 15)
PASSWORD = "audit-pass-1"


def clean_doc() -> dict:
    """A Desktop export the audit finds nothing wrong with (mainnet, all confirmed, valid until 2026+)."""
    return desktop_document(identities=3, accounts_per_identity=2, contacts=2, external_credentials=1, seed=7)


def rules_of(doc_or_backup, today: date = TODAY) -> set[str]:
    backup = doc_or_backup if isinstance(doc_or_backup, Backup) else Backup(doc_or_backup)
    return set(audit(backup, today=today)["rule"])


def other_address(seed: int = 99) -> str:
    return address_from_bytes(random.Random(seed).randbytes(32))


def bad_checksum(address: str) -> str:
    swap = "2" if address[10] != "2" else "3"
    return address[:10] + swap + address[11:]


def file_backup(doc: dict, iterations: int) -> Backup:
    return open_backup(make_file(jsonio.dumps_js(doc), PASSWORD, iterations=iterations), PASSWORD)


# --------------------------------------------------------------------------- one mutation per rule


def _m(fn):
    def make():
        d = clean_doc()
        fn(d)
        return d

    return make


def _identity_pending(d):
    d["identities"][0].update(status="pending", identityObject=None)


def _identity_rejected(d):
    d["identities"][0].update(status="rejected", identityObject=None, detail="Document expired")


def _no_initial(d):
    for a in d["accounts"]:
        if a["identityId"] == d["identities"][0]["id"]:
            a["isInitial"] = False


def _drop_book_entry(d):
    own = d["accounts"][1]["address"]
    d["addressBook"] = [e for e in d["addressBook"] if e["address"] != own]


TRIGGERS = {
    "legacy-not-importable": lambda: Backup(legacy_document(seed=1)),
    "legacy-private-keys": lambda: Backup(legacy_document(seed=1)),
    "weak-encryption": lambda: file_backup(clean_doc(), 1000),
    "network-missing": lambda: desktop_document(identities=3, seed=7, network=None),
    "network-unknown": _m(lambda d: d["genesis"].update(genesisBlock="ab" * 32)),
    "network-test": lambda: desktop_document(identities=3, seed=7, network="testnet"),
    "unknown-field": _m(lambda d: d["accounts"][0].update(favouriteColour="blue")),
    "invalid-record": _m(lambda d: d["identities"][0].update(walletId="1")),
    "account-without-identity": _m(lambda d: d["accounts"][0].update(identityId=99)),
    "identity-without-wallet": _m(lambda d: d["identities"][0].update(walletId=99)),
    "credential-without-account": _m(lambda d: d["credentials"][0].update(accountAddress=other_address())),
    "credential-without-identity": _m(lambda d: d["credentials"][0].update(identityId=99)),
    "external-credential-is-own": _m(
        lambda d: d["externalCredentials"][0].update(credId=d["credentials"][0]["credId"])
    ),
    "duplicate-account-address": _m(lambda d: d["accounts"].append(copy.deepcopy(d["accounts"][0]))),
    "duplicate-address-book-address": _m(lambda d: d["addressBook"].append(copy.deepcopy(d["addressBook"][-1]))),
    "duplicate-wallet-identifier": _m(
        lambda d: d["wallets"].append({"id": 2, "identifier": d["wallets"][0]["identifier"], "type": "ledgernanos"})
    ),
    "duplicate-wallet-id": _m(lambda d: d["wallets"].append({"id": 1, "identifier": "cd" * 32, "type": "ledgernanos"})),
    "duplicate-identity-id": _m(lambda d: d["identities"][1].update(id=d["identities"][0]["id"])),
    "duplicate-credential-index": _m(
        lambda d: d["credentials"][1].update(accountAddress=d["credentials"][0]["accountAddress"])
    ),
    "duplicate-credential-number": _m(lambda d: d["credentials"][1].update(credentialNumber=0)),
    "duplicate-cred-id": _m(lambda d: d["credentials"][1].update(credId=d["credentials"][0]["credId"])),
    "invalid-address": _m(lambda d: d["addressBook"][-1].update(address=bad_checksum(d["addressBook"][-1]["address"]))),
    "invalid-cred-id": _m(lambda d: d["credentials"][0].update(credId="AB" * 48)),
    "invalid-wallet-identifier": _m(lambda d: d["wallets"][0].update(identifier="12345")),
    "unknown-status": _m(lambda d: d["accounts"][0].update(status="frozen")),
    "identity-pending": _m(_identity_pending),
    "identity-rejected": _m(_identity_rejected),
    "account-pending": _m(lambda d: d["accounts"][1].update(status="pending")),
    "account-rejected": _m(lambda d: d["accounts"][1].update(status="rejected")),
    "identity-expired": lambda: Backup(clean_doc()),  # with today in 2040, below
    "identity-object-unreadable": _m(lambda d: d["identities"][0].update(identityObject="{not json")),
    "identity-without-initial-account": _m(_no_initial),
    "read-only-not-own": _m(
        lambda d: d["addressBook"].append({"name": "Mine?", "address": other_address(), "note": None, "readOnly": True})
    ),
    "own-account-not-in-address-book": _m(_drop_book_entry),
}
TODAY_FOR = {"identity-expired": date(2040, 1, 1)}

#: Near misses: files close to breaking a rule that must not fire it.
QUIET = {
    "weak-encryption": lambda: file_backup(clean_doc(), 10_000),
    "duplicate-credential-index": _m(
        lambda d: (
            [c.update(credentialIndex=None) for c in d["credentials"][:2]]
            and d["credentials"][1].update(accountAddress=d["credentials"][0]["accountAddress"])
        )
    ),
    "read-only-not-own": _m(
        lambda d: d["addressBook"].append(
            {"name": "Friend", "address": other_address(), "note": None, "readOnly": False}
        )
    ),
    "own-account-not-in-address-book": _m(lambda d: (_drop_book_entry(d), d["accounts"][1].update(status="pending"))),
    "identity-without-initial-account": _m(lambda d: (_no_initial(d), d["identities"][0].update(status="genesis"))),
    "unknown-field": lambda: desktop_document(identities=3, seed=7, old_format=True),  # rewardFilter is known
    "network-test": lambda: desktop_document(identities=3, seed=7, network="mainnet"),
}


def _expiry_month(doc: dict) -> date:
    obj = json.loads(doc["identities"][0]["identityObject"])
    valid_to = obj["value"]["attributeList"]["validTo"]
    return date(int(valid_to[:4]), int(valid_to[4:]), 28)


def test_a_findings_key_joins_to_the_diffs_key_for_the_same_record():
    old = clean_doc()
    new = copy.deepcopy(old)
    new["identities"][1]["status"] = "pending"  # identity-pending
    new["accounts"][2]["status"] = "rejected"  # account-rejected
    findings = audit(Backup(new), today=TODAY)
    changes = diff_backups(Backup(old), Backup(new)).changes
    joined = findings.merge(changes, on=["table", "key"])
    assert set(joined["rule"]) == {"identity-pending", "account-rejected"}, joined
    pending = joined[joined["rule"] == "identity-pending"]
    assert set(pending["field"]) == {"status"}
    # The identity's key is its Ledger and number (IDENTIFIER/N), not its database id.
    identity = new["identities"][1]
    wallet = next(w for w in new["wallets"] if w["id"] == identity["walletId"])
    assert pending["key"].iloc[0] == f"{wallet['identifier']}/{identity['identityNumber']}"
    assert pending["key"].iloc[0] == record_key("identities", identity, Backup(new))


def test_the_clean_file_has_no_findings():
    findings = audit(Backup(clean_doc()), today=TODAY)
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert findings.empty, findings.to_string()


def test_every_rule_has_a_trigger_and_the_rule_table_is_complete():
    assert set(TRIGGERS) == set(RULE_BY_ID)
    table = rules_table()
    assert list(table.columns) == ["id", "severity", "checks"]
    assert len(table) == len(RULES) == len(set(table["id"]))
    assert set(table["severity"]) <= set(SEVERITIES)


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_fires_on_a_file_made_to_break_it(rule):
    made = TRIGGERS[rule]()
    backup = made if isinstance(made, Backup) else Backup(made)
    findings = audit(backup, today=TODAY_FOR.get(rule, TODAY))
    hits = findings[findings["rule"] == rule]
    assert len(hits) >= 1, findings.to_string()
    assert set(hits["severity"].astype(str)) == {RULE_BY_ID[rule].severity}
    for message in hits["message"]:
        assert message and "\n" not in message and message.endswith(".")


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_is_quiet_on_a_file_that_does_not_break_it(rule):
    made = QUIET[rule]() if rule in QUIET else clean_doc()
    assert rule not in rules_of(made)


def test_expiry_is_decided_by_the_given_day():
    doc = clean_doc()
    last_valid = _expiry_month(doc)
    first = record_key("identities", doc["identities"][0], Backup(doc))

    def expired(day: date) -> bool:
        findings = audit(Backup(doc), today=day)
        return bool(((findings["rule"] == "identity-expired") & (findings["key"] == first)).any())

    assert not expired(last_valid)
    assert expired(date(last_valid.year + (last_valid.month == 12), last_valid.month % 12 + 1, 1))


def test_rejection_detail_is_in_the_message():
    doc = TRIGGERS["identity-rejected"]()
    doc["accounts"][0]["status"] = "rejected"
    findings = audit(Backup(doc), today=TODAY)
    for rule in ("identity-rejected", "account-rejected"):
        assert "Document expired" in findings[findings["rule"] == rule]["message"].iloc[0]


def test_invalid_address_reasons_checksum_version_and_length():
    import base58

    doc = clean_doc()
    wrong_version = base58.b58encode_check(bytes([2]) + bytes(32)).decode()
    doc["addressBook"][-1]["address"] = wrong_version
    doc["addressBook"][-2]["address"] = bad_checksum(doc["addressBook"][-2]["address"])
    doc["accounts"][0]["address"] = doc["accounts"][0]["address"][:-1]
    findings = audit(Backup(doc), today=TODAY).query("rule == 'invalid-address'")
    text = " ".join(findings["message"])
    assert "version byte 0x02" in text and "checksum" in text and "49 characters" in text
    assert set(findings["table"]) == {"accounts", "addressBook"}


def test_findings_are_sorted_errors_first_and_keys_name_the_record():
    doc = clean_doc()
    doc["accounts"][0]["identityId"] = 99
    doc["accounts"][1]["status"] = "pending"
    doc["accounts"][2]["favourite"] = True
    findings = audit(Backup(doc), today=TODAY)
    order = [SEVERITIES.index(s) for s in findings["severity"].astype(str)]
    assert order == sorted(order)
    row = findings[findings["rule"] == "account-without-identity"].iloc[0]
    assert row["table"] == "accounts" and row["key"] == doc["accounts"][0]["address"]
    assert has_failures(findings) and has_failures(findings, "warning")
    assert not has_failures(findings[findings["severity"] == "info"])


def test_text_from_the_file_is_cleaned_before_it_is_quoted():
    doc = clean_doc()
    doc["addressBook"].append(
        {"name": "Evil\x1b[31m\nname\u202e", "address": other_address(), "note": None, "readOnly": True}
    )
    message = audit(Backup(doc), today=TODAY).query("rule == 'read-only-not-own'")["message"].iloc[0]
    assert "\x1b" not in message and "\n" not in message and "\u202e" not in message


def test_legacy_findings_never_quote_private_keys():
    doc = legacy_document(seed=3)
    doc["value"]["identities"][0]["accounts"][0]["address"] = "not-an-address"
    findings = audit(Backup(doc), today=date(2040, 1, 1))
    assert {"legacy-not-importable", "legacy-private-keys", "invalid-address", "identity-expired"} <= set(
        findings["rule"]
    )
    text = findings.to_json()
    for identity in doc["value"]["identities"]:
        assert identity["privateIdObjectData"]["aci"]["prfKey"] not in text
        for account in identity["accounts"]:
            assert account["encryptionSecretKey"] not in text
            assert account["accountKeys"]["keys"]["0"]["keys"]["0"]["signKey"] not in text


@pytest.mark.parametrize("name,password,_plain,kind", VECTOR_FILES)
def test_the_conformance_vectors_audit_without_crashing(vectors_dir, name, password, _plain, kind):
    findings = audit(open_backup(vectors_dir / name, password), today=TODAY)
    rules = set(findings["rule"])
    if kind == "legacy-mobile-wallet":
        assert {"legacy-not-importable", "legacy-private-keys"} <= rules
    else:
        assert not rules & {"legacy-not-importable", "legacy-private-keys"}
        assert not has_failures(findings)  # the reference files are consistent


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    table=st.sampled_from([n for n in kinds.lists_of(kinds.DESKTOP) if n in clean_doc()]),
    index=st.integers(0, 3),
    field=st.sampled_from(["address", "id", "identityId", "walletId", "credId", "status", "identityObject", "x"]),
    value=JSON_VALUES,
)
def test_the_audit_never_crashes_on_odd_values(table, index, field, value):
    doc = clean_doc()
    records = doc[table]
    records[index % len(records)][field] = value
    findings = audit(Backup(doc), today=TODAY)
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert all(isinstance(m, str) and "\n" not in m for m in findings["message"])


# --------------------------------------------------------------------------- CLI and reports


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    clean = tmp_path / "clean.json"
    clean.write_bytes(make_file(jsonio.dumps_js(clean_doc()), PASSWORD, iterations=10_000))
    warn = tmp_path / "warn.json"
    warn.write_bytes(make_file(jsonio.dumps_js(TRIGGERS["account-pending"]()), PASSWORD, iterations=10_000))
    bad = tmp_path / "bad.json"
    bad.write_bytes(make_file(jsonio.dumps_js(TRIGGERS["duplicate-account-address"]()), PASSWORD))
    return {"pw": pw, "clean": clean, "warn": warn, "bad": bad, "dir": tmp_path}


def run_cli(*argv: str) -> int:
    return main(["audit", *argv, "--today", TODAY.isoformat()])


def test_cli_exit_codes(files, capsys):
    pw = ["--password-file", str(files["pw"])]
    assert run_cli(str(files["clean"]), *pw) == 0
    assert run_cli(str(files["warn"]), *pw) == 0
    assert run_cli(str(files["warn"]), *pw, "--fail-on", "warning") == 1
    assert run_cli(str(files["clean"]), *pw, "--fail-on", "warning") == 0
    assert run_cli(str(files["bad"]), *pw) == 1
    out = capsys.readouterr().out
    assert "ERRORS (" in out and "[duplicate-account-address]" in out and "WARNINGS (" in out
    wrong = files["dir"] / "wrong.txt"
    wrong.write_text("not the password\n", encoding="utf-8")
    assert run_cli(str(files["clean"]), "--password-file", str(wrong)) == 2
    assert run_cli(str(files["dir"] / "missing.json"), *pw) == 2
    cut = files["dir"] / "cut.json"
    cut.write_bytes(files["clean"].read_bytes()[:200])
    assert run_cli(str(cut), *pw) == 2


def test_cli_json(files, capsys):
    assert run_cli(str(files["bad"]), "--password-file", str(files["pw"]), "--json") == 1
    out = json.loads(capsys.readouterr().out)
    assert out["findings"] and all(set(f) == set(FINDING_COLUMNS) for f in out["findings"])
    assert "duplicate-account-address" in {f["rule"] for f in out["findings"]}
    assert out["counts"]["error"] >= 1
    assert run_cli(str(files["clean"]), "--password-file", "/nonexistent", "--json") == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "cannot-read"


@pytest.mark.parametrize("ext", [".html", ".xlsx"])
def test_cli_writes_the_report(files, capsys, ext):
    report = files["dir"] / f"report{ext}"
    pw = ["--password-file", str(files["pw"])]
    assert run_cli(str(files["bad"]), *pw, "--report", str(report)) == 1
    assert report.stat().st_size > 1000
    assert run_cli(str(files["bad"]), *pw, "--report", str(report)) == 2  # exists
    assert "output-exists" in capsys.readouterr().err
    assert run_cli(str(files["bad"]), *pw, "--report", str(report), "--force") == 1
    assert [p.name for p in files["dir"].iterdir() if p.name.startswith(".report")] == []
    if ext == ".html":
        html = report.read_text(encoding="utf-8")
        assert "duplicate-account-address" in html and "Content-Security-Policy" in html
        assert "<script" not in html
    else:
        import openpyxl

        wb = openpyxl.load_workbook(report)
        assert wb.sheetnames == ["Summary", "Findings", "Rules"]
        rows = list(wb["Findings"].iter_rows(values_only=True))
        assert rows[0] == FINDING_COLUMNS and any(r[3] == "duplicate-account-address" for r in rows[1:])


def test_report_format_must_be_known(tmp_path):
    findings = audit(Backup(clean_doc()), today=TODAY)
    with pytest.raises(errors.InvalidArgumentError):
        write_report(findings, tmp_path / "report.pdf")


def test_html_report_escapes_everything_from_the_file():
    doc = clean_doc()
    doc["addressBook"].append(
        {"name": "<script>alert('x')</script>", "address": other_address(), "note": None, "readOnly": True}
    )
    doc["accounts"][0]['<img src=x onerror="y">'] = 1
    page = render_html(audit(Backup(doc), today=TODAY)).decode("utf-8")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=&quot;y&quot;&gt;" in page


def test_xlsx_report_never_holds_a_formula(tmp_path):
    import openpyxl

    doc = clean_doc()
    doc["accounts"][0]['=HYPERLINK("http://example.invalid","x")'] = 1
    doc["accounts"][1]["bad\x07field"] = 2
    path = tmp_path / "r.xlsx"
    write_report(audit(Backup(doc), today=TODAY), path)
    wb = openpyxl.load_workbook(path)
    cells = [c for row in wb["Findings"].iter_rows() for c in row]
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)  # neutralised (OWASP: a leading ')
    assert not any(str(c.value).lstrip().startswith(("=", "+", "@")) for c in cells)
    assert all(c.data_type != "f" for c in cells)
