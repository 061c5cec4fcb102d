"""Salvage: cut and damaged files give back every record that survived, and nothing else."""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES, VECTOR_FILES
from toolkit import errors
from toolkit.cli import main
from toolkit.format import container as ct
from toolkit.format import jsonio
from toolkit.model import kinds
from toolkit.model.backup import DESKTOP, LEGACY, open_backup
from toolkit.ops.audit import audit
from toolkit.ops.salvage import LOST_WALLET_NOTE, salvage, salvage_to
from toolkit.testing.synthetic import desktop_document, legacy_document

PASSWORD = "salvage-pass-1"
#: More examples for a long run: SALVAGE_EXAMPLES=5000 pytest tests/ops/test_salvage.py
PROPERTY = settings(
    max_examples=int(os.environ.get("SALVAGE_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
_OUT_NAMES = itertools.count()
DESKTOP_TABLES = kinds.lists_of(DESKTOP)


# --------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=32)
def sample(kind: str, seed: int) -> tuple[dict, bytes]:
    """A document and its plaintext, as its wallet writes it."""
    if kind == LEGACY:
        doc = legacy_document(identities=3, accounts_per_identity=2, recipients=3, seed=seed)
        return doc, jsonio.dumps_gson(doc)
    doc = desktop_document(identities=4, accounts_per_identity=2, contacts=3, external_credentials=2, seed=seed)
    return doc, jsonio.dumps_js(doc)


def encrypt(plaintext: bytes, *, layout: str = "desktop", seed: int = 0) -> bytes:
    rng = random.Random(seed)
    salt = rng.randbytes(32 if layout == "legacy" else 16)
    return ct.encrypt(plaintext, PASSWORD, iterations=1000, salt=salt, iv=rng.randbytes(16), layout=layout)  # type: ignore[arg-type]


def tables_of(doc: dict) -> dict[str, list]:
    """The records salvage recovers, per table, in file order."""
    if doc.get("type") == "concordium-mobile-wallet-data":
        return {"identities": doc["value"]["identities"], "recipients": doc["value"].get("recipients", [])}
    out = {name: doc.get(name, []) for name in DESKTOP_TABLES}
    out["genesis"] = [doc["genesis"]] if "genesis" in doc else []
    return out


def spans(doc: dict, plaintext: bytes) -> list[tuple[str, dict, int, int]]:
    """(table, record, start, end) of every record in the plaintext, by byte offset."""
    dump = jsonio.dumps_gson if doc.get("type") == "concordium-mobile-wallet-data" else jsonio.dumps_js
    out = []
    for name, records in tables_of(doc).items():
        pos = 0
        for record in records:
            text = dump(record)
            start = plaintext.index(text, pos)
            out.append((name, record, start, start + len(text)))
            pos = start + len(text)
    return out


def assert_nothing_invented(original: dict, recovered: dict) -> None:
    """Every recovered record is an original record, in the original order."""
    want = tables_of(original)
    for name, records in tables_of(recovered).items():
        it = iter(want[name])
        for record in records:
            assert any(record == o for o in it), f"{name}: a record that is not in the original"


def blocks_of(start: int, end: int) -> set[int]:
    return set(range(start // 16, (end - 1) // 16 + 1))


def assert_output_opens(result, tmp_path: Path) -> None:
    out = tmp_path / f"out-{next(_OUT_NAMES)}.json"
    from toolkit.model.save import save_backup

    save_backup(result.backup, out, PASSWORD, iterations=1000)
    reopened = open_backup(out, PASSWORD)
    assert reopened.document == result.backup.document
    assert reopened.kind == result.kind


def damage_ciphertext(data: bytes, flips: list[tuple[int, int]], layout: str) -> bytes:
    """The file with ciphertext byte ``pos`` XORed with ``x`` for each (pos, x)."""
    outer = json.loads(data)
    raw = bytearray(base64.b64decode(outer["cipherText"]))
    for pos, x in flips:
        raw[pos] ^= x
    outer["cipherText"] = base64.b64encode(bytes(raw)).decode()
    return (jsonio.dumps_gson if layout == "legacy" else jsonio.dumps_js)(outer)


# --------------------------------------------------------------------------- intact files


@pytest.mark.parametrize("kind", [DESKTOP, LEGACY])
def test_an_intact_file_is_recovered_whole(tmp_path, kind):
    doc, plaintext = sample(kind, 1)
    src = tmp_path / "in.json"
    src.write_bytes(encrypt(plaintext, layout="legacy" if kind == LEGACY else "desktop"))
    result = salvage_to(src, tmp_path / "out.json", PASSWORD, iterations=1000)
    assert result.intact and not result.truncated
    assert result.lost_bytes == [] and result.damaged == {} and result.unread == []
    assert result.recovered == {k: len(v) for k, v in _counts(doc).items()}
    reopened = open_backup(tmp_path / "out.json", PASSWORD)
    assert reopened.document == doc and reopened.to_plaintext() == plaintext
    assert "nothing was lost" in result.notes[0]


def _counts(doc: dict) -> dict[str, list]:
    if doc.get("type") == "concordium-mobile-wallet-data":
        ids = doc["value"]["identities"]
        return {
            "identities": ids,
            "accounts": [a for i in ids for a in i["accounts"]],
            "recipients": doc["value"]["recipients"],
        }
    return tables_of(doc)


@pytest.mark.parametrize("name,password,_plain,kind", VECTOR_FILES)
def test_the_conformance_vectors_salvage_as_intact(vectors_dir, name, password, _plain, kind):
    result = salvage(vectors_dir / name, password)
    assert result.intact and result.kind == kind and result.lost_bytes == []


# --------------------------------------------------------------------------- cut files


@PROPERTY
@given(seed=st.integers(0, 5), cut=st.floats(0.0, 1.0))
def test_a_desktop_file_cut_short_needs_its_metadata(seed, cut):
    """Desktop files keep the metadata last: a cut before it leaves nothing to decrypt, and says so."""
    doc, plaintext = sample(DESKTOP, seed)
    data = encrypt(plaintext, seed=seed)
    at = int(cut * (len(data) - 1))
    try:
        result = salvage(data[:at], PASSWORD)
    except errors.NotSalvageableError as exc:
        assert "metadata" in exc.message or "cipherText" in exc.message or "nothing" in exc.message
        return
    # cut inside the metadata after salt, IV and iterations: everything is there
    assert at > data.index(b'"metadata"')
    assert result.intact and result.backup.document == doc


def available_plaintext(cut_file: bytes, plaintext_len: int) -> int:
    """How many plaintext bytes the whole ciphertext blocks left in a cut legacy-layout file hold."""
    text = cut_file.decode("latin-1")
    start = text.index('"cipherText":"') + len('"cipherText":"')
    value = text[start:].split('"')[0].replace("\\u003d", "=").split("\\")[0]
    quads = value[: len(value) // 4 * 4]
    nbytes = len(base64.b64decode(quads)) if quads else 0
    return min(plaintext_len, nbytes // 16 * 16)


@PROPERTY
@given(kind=st.sampled_from([DESKTOP, LEGACY]), seed=st.integers(0, 5), cut=st.floats(0.0, 1.0))
def test_a_file_cut_short_gives_back_exactly_the_complete_records(tmp_path, kind, seed, cut):
    """Metadata first (legacy layout), then a cut anywhere: every record wholly before the cut, nothing else."""
    doc, plaintext = sample(kind, seed)
    data = encrypt(plaintext, layout="legacy", seed=seed)
    at = data.index(b'"cipherText":"') + 15 + int(cut * (len(data) - data.index(b'"cipherText":"') - 15))
    cut_file = data[:at]
    avail = available_plaintext(cut_file, len(plaintext))
    complete = [(n, r) for n, r, s, e in spans(doc, plaintext) if e <= avail]
    if avail < 16:
        with pytest.raises((errors.NotSalvageableError, errors.WrongPasswordError)):
            salvage(cut_file, PASSWORD)
        return
    try:
        result = salvage(cut_file, PASSWORD)
    except errors.NotSalvageableError:
        assert not complete
        return
    got = tables_of(result.backup.document)
    assert sorted((n, json.dumps(r, sort_keys=True)) for n, r in complete) == sorted(
        (n, json.dumps(r, sort_keys=True)) for n, rs in got.items() for r in rs
    )
    assert_nothing_invented(doc, result.backup.document)
    if avail < len(plaintext):
        assert result.truncated and result.lost_bytes[-1] == (avail, None)
    assert_output_opens(result, tmp_path)


def test_the_bundled_damaged_sample_says_the_metadata_is_gone():
    sample_file = SAMPLES / "wallet-export-damaged.json"
    assert sample_file.exists(), f"the committed sample {sample_file} is missing"
    password = sample_file.with_suffix(".password").read_text(encoding="utf-8").splitlines()[0]
    with pytest.raises(errors.NotSalvageableError, match="metadata"):
        salvage(sample_file, password)


# --------------------------------------------------------------------------- damaged bytes


@st.composite
def flips_in_distinct_blocks(draw, nblocks: int):
    blocks = draw(st.lists(st.integers(0, nblocks - 1), min_size=1, max_size=4, unique=True))
    return [(b * 16 + draw(st.integers(0, 15)), draw(st.integers(1, 255))) for b in blocks]


@PROPERTY
@given(kind=st.sampled_from([DESKTOP, LEGACY]), seed=st.integers(0, 5), data=st.data())
def test_flipped_bytes_cost_only_their_blocks(tmp_path, kind, seed, data):
    """A damaged ciphertext block k garbles plaintext k and changes one byte of k+1: every record clear
    of those blocks comes back, nothing is invented, and the lost ranges cover the damage."""
    doc, plaintext = sample(kind, seed)
    layout = "legacy" if kind == LEGACY else "desktop"
    clean = encrypt(plaintext, layout=layout, seed=seed)
    nblocks = len(base64.b64decode(json.loads(clean)["cipherText"])) // 16
    flips = data.draw(flips_in_distinct_blocks(nblocks))
    result = salvage(damage_ciphertext(clean, flips, layout), PASSWORD)
    assert_nothing_invented(doc, result.backup.document)

    lost: set[int] = set()
    for pos, _x in flips:
        k, j = divmod(pos, 16)
        lost |= {k, k + 1}
        nxt = (k + 1) * 16 + j
        # A flip that lands in a multi-byte character of block k+1 may look like garbage: k+2 may go too.
        if nxt < len(plaintext) and plaintext[nxt] >= 0x80:
            lost.add(k + 2)
    got = tables_of(result.backup.document)
    for name, record, s, e in spans(doc, plaintext):
        if not blocks_of(s, e) & lost:
            assert record in got[name], f"{name} record at {s}-{e} was readable but not recovered"
    covered = [(s, len(plaintext) if e is None else e) for s, e in result.lost_bytes]
    for pos, _x in flips:
        k = pos // 16
        for b in (k, k + 1):
            if b * 16 < len(plaintext):
                assert any(s <= b * 16 < e for s, e in covered), f"damaged block {b} not reported"
    assert not result.intact
    assert_output_opens(result, tmp_path)


@PROPERTY
@given(kind=st.sampled_from([DESKTOP, LEGACY]), seed=st.integers(0, 5), data=st.data())
def test_bursts_of_damage_invent_nothing(kind, seed, data):
    """Several damaged bytes in a row: blocks k, k+1 and at most k+2 per damaged block are lost."""
    doc, plaintext = sample(kind, seed)
    layout = "legacy" if kind == LEGACY else "desktop"
    clean = encrypt(plaintext, layout=layout, seed=seed)
    size = len(base64.b64decode(json.loads(clean)["cipherText"]))
    start = data.draw(st.integers(0, size - 1))
    length = data.draw(st.integers(2, 48))
    flips = [(p, data.draw(st.integers(1, 255))) for p in range(start, min(size, start + length))]
    result = salvage(damage_ciphertext(clean, flips, layout), PASSWORD)
    assert_nothing_invented(doc, result.backup.document)
    lost = {b for p, _ in flips for b in (p // 16, p // 16 + 1, p // 16 + 2)}
    got = tables_of(result.backup.document)
    for name, record, s, e in spans(doc, plaintext):
        if not blocks_of(s, e) & lost:
            assert record in got[name]


def test_characters_that_are_not_base64_cost_only_their_blocks(tmp_path):
    doc, plaintext = sample(DESKTOP, 2)
    data = bytearray(encrypt(plaintext, seed=2))
    start = data.index(b'"cipherText":"') + 14
    for offset, char in ((4000, b"*"), (12000, b'"'), (12001, b"\\")):
        data[start + offset] = char[0]
    result = salvage(bytes(data), PASSWORD)
    assert_nothing_invented(doc, result.backup.document)
    lost = set()
    for offset in (4000, 12000, 12001):
        k = (offset // 4 * 3) // 16
        lost |= {k, k + 1, (offset // 4 * 3 + 2) // 16 + 1}
    got = tables_of(result.backup.document)
    for name, record, s, e in spans(doc, plaintext):
        if not blocks_of(s, e) & lost:
            assert record in got[name]
    assert any("not base64" in n for n in result.notes)
    assert_output_opens(result, tmp_path)


def test_a_damaged_first_block_still_confirms_the_password():
    doc, plaintext = sample(DESKTOP, 3)
    damaged = damage_ciphertext(encrypt(plaintext, seed=3), [(5, 0x44)], "desktop")
    with pytest.raises(errors.DamagedError):
        open_backup(damaged, PASSWORD)
    result = salvage(damaged, PASSWORD)
    assert result.lost_bytes[0] == (0, 32)
    assert result.recovered["accounts"] == len(doc["accounts"]) - 1  # the first account began in block 0
    assert result.recovered["identities"] == len(doc["identities"])
    assert result.damaged == {"accounts": 1}


def test_a_wrong_password_is_refused_not_salvaged():
    _doc, plaintext = sample(DESKTOP, 0)
    data = encrypt(plaintext, seed=0)
    with pytest.raises(errors.WrongPasswordError):
        salvage(data, "not-the-password")
    damaged = damage_ciphertext(data, [(40, 1), (3000, 7)], "desktop")
    with pytest.raises(errors.WrongPasswordError):
        salvage(damaged, "not-the-password")
    cut = encrypt(plaintext, layout="legacy", seed=0)[:3000]
    assert salvage(cut, PASSWORD).truncated
    with pytest.raises(errors.WrongPasswordError):
        salvage(cut, "not-the-password")


def test_nothing_left_to_decrypt(tmp_path):
    _doc, plaintext = sample(LEGACY, 0)
    data = encrypt(plaintext, layout="legacy", seed=0)
    head = data[: data.index(b'"cipherText":"') + 20]  # 6 base64 characters: no whole block
    with pytest.raises(errors.NotSalvageableError, match="less than one 16-byte block"):
        salvage(head, PASSWORD)
    with pytest.raises(errors.NotSalvageableError, match="cipherText"):
        salvage(b'{"metadata":{"iterations":1000', PASSWORD)
    with pytest.raises(errors.NotSalvageableError, match="salt"):
        salvage(data[:60] + b'","cipherText":"AAAA', PASSWORD)


# --------------------------------------------------------------------------- writing


def test_salvage_to_never_touches_the_original_and_keeps_or_changes_the_password(tmp_path):
    doc, plaintext = sample(DESKTOP, 4)
    src = tmp_path / "damaged.json"
    src.write_bytes(damage_ciphertext(encrypt(plaintext, seed=4), [(2000, 9)], "desktop"))
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    with pytest.raises(errors.SameFileError):
        salvage_to(src, src, PASSWORD, force=True)
    out = tmp_path / "recovered.json"
    result = salvage_to(src, out, PASSWORD, iterations=1000)
    assert result.output is not None and result.output.verified
    assert open_backup(out, PASSWORD).document == result.backup.document
    with pytest.raises(errors.OutputExistsError):
        salvage_to(src, out, PASSWORD)
    salvage_to(src, out, PASSWORD, new_password="brand-new-pass", force=True, iterations=1000)
    with pytest.raises(errors.WrongPasswordError):
        open_backup(out, PASSWORD)
    assert open_backup(out, "brand-new-pass").document == result.backup.document
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.json", "recovered.json"]


def test_lost_wallet_entries_are_reported_and_can_be_given(tmp_path):
    doc, plaintext = sample(DESKTOP, 5)
    data = encrypt(plaintext, layout="legacy", seed=5)  # metadata first, so a cut keeps it
    cut = data[: int(len(data) * 0.6)]
    result = salvage(cut, PASSWORD)
    assert result.recovered["wallets"] == 0 and "wallets" in result.unread and "genesis" in result.unread
    assert any(n.startswith(LOST_WALLET_NOTE) for n in result.notes) and any("genesis" in n for n in result.notes)
    findings = audit(result.backup)
    assert "identity-without-wallet" in set(findings["rule"])
    identifier = doc["wallets"][0]["identifier"]
    given_wallet = salvage(cut, PASSWORD, wallets={1: identifier})
    assert given_wallet.backup.document["wallets"] == [{"id": 1, "identifier": identifier, "type": "ledgernanos"}]
    assert "identity-without-wallet" not in set(audit(given_wallet.backup)["rule"])
    with pytest.raises(errors.InvalidArgumentError):
        salvage(cut, PASSWORD, wallets={1: "not-hex"})


def test_cli_salvage(tmp_path, capsys):
    doc, plaintext = sample(DESKTOP, 1)
    pw = tmp_path / "pw.txt"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    src = tmp_path / "damaged.json"
    src.write_bytes(damage_ciphertext(encrypt(plaintext, seed=1), [(3000, 0x20)], "desktop"))
    out = tmp_path / "out.json"
    assert main(["salvage", str(src), str(out), "--password-file", str(pw), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["output"] == str(out) and report["lost_bytes"] == [[2992, 3024]]
    assert report["recovered"]["accounts"] == len(doc["accounts"]) - 1
    assert set(report["recovered"]) == {*DESKTOP_TABLES, "genesis"}
    assert main(["salvage", str(src), str(out), "--password-file", str(pw)]) == 2
    assert "output-exists" in capsys.readouterr().err
    newpw = tmp_path / "new.txt"
    newpw.write_text("another-pass\n", encoding="utf-8")
    args = ["salvage", str(src), str(out), "--password-file", str(pw), "--new-password-file", str(newpw), "--force"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "recovered:" in text and "wrote" in text and "new password" in text
    assert open_backup(out, "another-pass").counts()["accounts"] == len(doc["accounts"]) - 1
    cut = tmp_path / "cut.json"
    cut.write_bytes(src.read_bytes()[:5000])
    assert main(["salvage", str(cut), str(tmp_path / "x.json"), "--password-file", str(pw), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "not-salvageable"
    assert main(["salvage", str(src), str(tmp_path / "y.json"), "--password-file", str(pw), "--wallet", "x"]) == 2


# --------------------------------------------------------------------------- issue 21 #6: linear time, a budget, Stop


class _Recorder:
    """The scan's JSON decoder, recording how much text each attempt was handed (the old scan handed it the
    whole text: each failed attempt's error then counted the lines before it, quadratic in all)."""

    def __init__(self, decoder) -> None:
        self._decoder = decoder
        self.sizes: list[int] = []

    def raw_decode(self, s: str, idx: int = 0):
        self.sizes.append(len(s))
        return self._decoder.raw_decode(s, idx)


def _crafted(body: bytes, records: int = 0) -> bytes:
    """A Desktop export that starts with ``records`` contacts, then ``body`` (a damaged-looking tail)."""
    contacts = b",".join(
        jsonio.dumps_js({"name": f"c{i}", "address": "3" + "a" * 49, "readOnly": False}) for i in range(records)
    )
    head = b'{"accounts":[],"identities":[],"addressBook":[' + contacts + (b"," if records else b"")
    plain = head + b"x" + body  # not JSON from the x on: read as damaged (not as content no wallet writes)
    return encrypt(plain)


@pytest.mark.parametrize("body", [b'{"a"}' * 40_000, b"{" * 200_000, b'{"a":[' * 30_000])
def test_each_attempt_reads_a_window_not_the_whole_text(body, monkeypatch):
    from toolkit.ops import salvage as sv

    recorder = _Recorder(sv._DECODER)
    monkeypatch.setattr(sv, "_DECODER", recorder)
    with pytest.raises(errors.NotSalvageableError):
        salvage(_crafted(body), PASSWORD)
    n = len(body)
    assert not recorder.sizes or max(recorder.sizes) <= 65_536 < n / 2  # a window, never the whole text
    assert sum(recorder.sizes) <= 16 * n + 2**24 + 1024 * len(recorder.sizes)  # linear in all


def test_a_file_asking_for_too_much_work_ends_at_the_budget_with_what_was_found(monkeypatch):
    """Nesting that never closes: each attempt reads to the parser's limit; the budget ends the search and the
    result says how far it got (before, it ran on: about 1,000 times the text's length)."""
    from toolkit.ops import salvage as sv

    monkeypatch.setattr(sv, "WORK_BASE", 0)
    result = salvage(_crafted(b'{"a":' * 40_000, records=5), PASSWORD)
    assert result.stopped == "budget" and not result.intact
    assert result.recovered["addressBook"] == 5  # what came before was recovered, nothing invented
    assert [r["name"] for r in result.backup.records("addressBook")] == [f"c{i}" for i in range(5)]
    assert 0 < result.scanned_bytes < result.plaintext_bytes
    assert "work budget" in result.headline("x.json") and "far more work" in result.notes[0]
    assert result.to_dict()["stopped"] == "budget"
    with pytest.raises(errors.NotSalvageableError, match="work budget"):
        salvage(_crafted(b'{"a":' * 40_000), PASSWORD)


def test_stop_ends_the_search_with_the_records_found_so_far():
    import threading

    doc, plain = sample(DESKTOP, 4)
    calls = itertools.count()
    result = salvage(_crafted(b'{"a":' * 40_000, records=600), PASSWORD, stop=lambda: next(calls) >= 1)
    assert result.stopped == "stopped" and "as asked" in result.notes[0]
    assert 0 < result.recovered["addressBook"] < 600
    assert all(r["name"].startswith("c") for r in result.backup.records("addressBook"))
    event = threading.Event()
    event.set()
    with pytest.raises(errors.NotSalvageableError, match="as asked"):
        salvage(_crafted(b'{"a":' * 40_000), PASSWORD, stop=event)
    untouched = salvage(encrypt(plain[:-40]), PASSWORD, stop=threading.Event())  # never set: a full search
    assert untouched.stopped is None and untouched.scanned_bytes == untouched.plaintext_bytes
