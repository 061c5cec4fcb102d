"""The parallel search: finds, exhausts, stops, resumes, and never writes a candidate down."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import stat
import threading

import pytest

from tests.conftest import make_file
from toolkit import errors
from toolkit.format import container
from toolkit.ops.recovery import Candidates, PasswordSearch, engines, recover_password
from toolkit.ops.recovery import checkpoint as cp

DESKTOP_PT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'
LEGACY_PT = (
    b'{"type":"concordium-mobile-wallet-data","v":1,"environment":"testnet","value":{"identities":[],"recipients":[]}}'
)
PASSWORD = "Correct-Horse7"
DECOYS = [f"decoy-password-{i:03d}" for i in range(60)]


@pytest.fixture(scope="module")
def desktop_file() -> bytes:
    return make_file(DESKTOP_PT, PASSWORD)


def test_finds_from_candidate_list(tmp_path, desktop_file):
    path = tmp_path / "list.txt"
    path.write_text("\n".join([*DECOYS, PASSWORD]) + "\n")
    result = recover_password(desktop_file, Candidates(files=[path]), workers=2)
    assert result.found and result.password == PASSWORD
    assert result.kind == "desktop-wallet" and result.problem is None
    assert result.total == len(DECOYS) + 1
    assert PASSWORD not in repr(result)


def test_finds_a_file_whose_writer_spaced_its_json():
    # Not how the wallets write (compact JSON), but an edited or re-exported file may be spaced: the
    # cheap first-block check must not turn the right password into "exhausted".
    spaced = json.dumps(json.loads(DESKTOP_PT), indent=2).encode()
    result = recover_password(make_file(spaced, PASSWORD), [*DECOYS[:5], PASSWORD], workers=1)
    assert result.found and result.password == PASSWORD and result.kind == "desktop-wallet"


def test_finds_legacy_file_from_tokens():
    data = make_file(LEGACY_PT, "Blue-Rex1987!", layout="legacy")
    assert container.parse_container(data).layout == "legacy"
    tokens = "+ red Red blue Blue\n+ - _\n+ rex Rex\n+ 19%d%d\n! ?"
    result = recover_password(data, Candidates(tokens=tokens), workers=2)
    assert result.found and result.password == "Blue-Rex1987!"
    assert result.kind == "legacy-mobile-wallet"


@pytest.mark.parametrize(
    "remembered, typos, kinds",
    [
        ("correct-Horse7", 1, {}),  # case
        ("Correct-Hrose7", 1, {}),  # swapped pair
        ("Correct-Horse", 1, {}),  # a character left out (inserted back)
        ("Correct-Horsse7", 1, {}),  # a character typed twice (deleted)
        ("Correct-Hore7", 1, {}),  # a character typed once (repeated)
        ("cORRECT-hORSE7", 1, {}),  # caps lock
        ("correct-Hrose7", 2, {"insert_chars": "xyz"}),  # case + swap, every kind on (few insert characters)
        ("Corect-Horse77", 2, {"typo_kinds": ["repeat", "delete"]}),  # one repeated, one deleted
    ],
)
def test_finds_typo_variants(desktop_file, remembered, typos, kinds):
    result = recover_password(desktop_file, Candidates(words=[remembered], typos=typos, **kinds), workers=2)
    assert result.found and result.password == PASSWORD


def test_exhausts_with_exact_count(desktop_file):
    tokens = "+ a ab abc\nbc c cd\n%d"
    expected = {"".join(p) for p in itertools.product(["a", "ab", "abc"], ["", "bc", "c", "cd"], ["", *"0123456789"])}
    expected = {s for s in expected if len(s) >= 3}
    result = recover_password(desktop_file, Candidates(tokens=tokens, min_length=3), workers=2)
    assert not result.found and not result.stopped and result.status == "exhausted"
    assert result.tried == result.total == len(expected)


def test_real_vector_with_typos(vectors_dir):
    data = (vectors_dir / "desktop-reference.json").read_bytes()
    candidates = Candidates(words=["reference-pässword-1"], typos=1, typo_kinds=["case"])
    assert candidates.count().total < 30
    result = recover_password(data, candidates, workers=2)
    assert result.found and result.password == "reference-Pässword-1"
    assert result.kind == "desktop-wallet"


def test_damaged_beyond_first_block_is_found_but_reported(desktop_file):
    outer = json.loads(desktop_file)
    ciphertext = base64.b64decode(outer["cipherText"])
    outer["cipherText"] = base64.b64encode(ciphertext[:-16]).decode()  # the last block is lost
    result = recover_password(json.dumps(outer).encode(), Candidates(words=DECOYS[:3] + [PASSWORD]), workers=1)
    assert result.found and result.password == PASSWORD
    assert isinstance(result.problem, errors.DamagedError)
    assert PASSWORD not in result.problem.message


def test_not_a_backup_refused():
    with pytest.raises(errors.BackupError):
        PasswordSearch(b'{"hello": 1}', Candidates(words=[PASSWORD]))
    with pytest.raises(errors.DamagedError):
        outer = json.loads(make_file(DESKTOP_PT, PASSWORD))
        outer["cipherText"] = base64.b64encode(b"short").decode()
        PasswordSearch(json.dumps(outer).encode(), Candidates(words=[PASSWORD]))


# --------------------------------------------------------------------------- stop and resume

_TRIED_LOG = os.environ.get("RECOVERY_TEST_TRIED_LOG", "")
_original_check_range = engines.check_range


def _logging_check_range(job, start, end):
    """Records every candidate a worker checks (test data only), then checks them."""
    with open(_TRIED_LOG, "a", encoding="utf-8") as fh:
        fh.write("".join(p + "\n" for p in itertools.islice(job.candidates, start, end)))
    return _original_check_range(job, start, end)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="needs fork to observe the workers")
def test_resume_skips_done_candidates_and_finds(tmp_path, monkeypatch, caplog):
    global _TRIED_LOG
    tried_log = tmp_path / "tried.log"
    _TRIED_LOG = str(tried_log)
    monkeypatch.setattr(engines, "check_range", _logging_check_range)
    caplog.set_level(logging.DEBUG, logger="toolkit")

    words = [f"candidate-{i:04d}" for i in range(400)] + [PASSWORD]
    data = make_file(DESKTOP_PT, PASSWORD, iterations=4000)
    ckpt = tmp_path / "ckpt.json"

    polls = itertools.count()
    first = PasswordSearch(data, Candidates(words=words), checkpoint=ckpt).run(
        workers=2, range_size=4, stop=lambda: next(polls) > 12
    )
    assert first.stopped and not first.found and first.status == "stopped"
    assert 0 < first.tried < first.total
    assert first.checkpoint == str(ckpt)
    saved = cp.load(ckpt)
    assert saved is not None and saved.tried == first.tried
    assert stat.S_IMODE(os.stat(ckpt).st_mode) == 0o600
    text = ckpt.read_text()
    assert PASSWORD not in text and not any(w in text for w in words)
    tried_first = tried_log.read_text().splitlines()
    assert len(tried_first) >= first.tried

    tried_log.write_text("")
    second_search = PasswordSearch(data, Candidates(words=words), checkpoint=ckpt)
    assert second_search.resumed == first.tried
    second = second_search.run(workers=2, range_size=4)
    assert second.found and second.password == PASSWORD
    assert second.resumed == first.tried
    tried_second = tried_log.read_text().splitlines()
    done_first = {w for i, w in enumerate(words) if saved.is_done(i)}
    assert not done_first & set(tried_second)  # nothing checked again
    assert len(tried_second) == len(set(tried_second))
    assert second.checkpoint == str(ckpt) and ckpt.exists()  # kept until the password reached its user
    second_search.forget()
    assert not ckpt.exists()
    assert PASSWORD not in caplog.text and not any(w in caplog.text for w in words)


def test_exhausted_resume_counts_add_up(tmp_path, desktop_file):
    words = [f"candidate-{i:04d}" for i in range(120)]
    ckpt = tmp_path / "ckpt.json"
    seen: list[tuple[int, int]] = []
    polls = itertools.count()
    first = PasswordSearch(desktop_file, Candidates(words=words), checkpoint=ckpt).run(
        workers=1,
        range_size=3,
        progress=lambda tried, total, rate: seen.append((tried, total)),
        stop=lambda: next(polls) > 5,
    )
    assert first.stopped and 0 < first.tried < len(words)
    assert seen[0] == (0, len(words)) and seen[-1] == (first.tried, len(words))
    second = PasswordSearch(desktop_file, Candidates(words=words), checkpoint=ckpt).run(workers=2)
    assert not second.found and not second.stopped
    assert second.tried == second.total == len(words)
    assert second.resumed == first.tried
    assert not ckpt.exists()


def test_checkpoint_for_other_search_refused(tmp_path, desktop_file):
    ckpt = tmp_path / "ckpt.json"
    stop = threading.Event()
    stop.set()
    PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt).run(workers=1, stop=stop)
    assert ckpt.exists()
    with pytest.raises(errors.CheckpointError) as exc:
        PasswordSearch(desktop_file, Candidates(words=DECOYS, typos=1), checkpoint=ckpt)
    assert "other candidates" in exc.value.message
    with pytest.raises(errors.CheckpointError) as exc:
        PasswordSearch(make_file(DESKTOP_PT, PASSWORD), Candidates(words=DECOYS), checkpoint=ckpt)
    assert "another backup" in exc.value.message
    ckpt.write_text("{not json")
    with pytest.raises(errors.CheckpointError):
        PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt)


def test_checkpoint_ranges_merge():
    state = cp.Checkpoint(file_sha256="x", search="y", total=100)
    state.mark(10, 20)
    state.mark(30, 40)
    assert (state.done, state.done_ranges, state.tried) == (0, [(10, 20), (30, 40)], 20)
    state.mark(0, 10)
    assert (state.done, state.done_ranges) == (20, [(30, 40)])
    state.mark(20, 30)
    assert (state.done, state.done_ranges, state.tried) == (40, [], 40)
    assert state.is_done(39) and not state.is_done(40)


def test_run_again_continues_in_memory_without_checkpoint(desktop_file):
    words = [f"candidate-{i:04d}" for i in range(150)] + [PASSWORD]
    search = PasswordSearch(desktop_file, Candidates(words=words))
    polls = itertools.count()
    first = search.run(workers=1, range_size=3, stop=lambda: next(polls) > 5)
    assert first.stopped and first.checkpoint is None and 0 < first.tried < len(words)
    second = search.run(workers=2)  # what the notebook form's Continue does
    assert second.found and second.password == PASSWORD
    assert second.resumed == first.tried


def test_checkpoint_progress_is_authenticated(tmp_path, desktop_file):
    ckpt = tmp_path / "ckpt.json"
    stop = threading.Event()
    stop.set()
    PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt).run(workers=1, stop=stop)
    saved = json.loads(ckpt.read_text())
    assert saved["version"] == 3 and len(saved["mac"]) == 64
    assert PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt).resumed == 0
    for field, value in (("done", len(DECOYS)), ("doneRanges", [[3, 9]]), ("mac", "0" * 64)):
        ckpt.write_text(json.dumps(dict(saved, **{field: value})))
        with pytest.raises(errors.CheckpointError, match="does not verify"):
            PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt)
        assert ckpt.exists()


def test_checkpoint_is_no_fast_oracle_for_the_hints(tmp_path, desktop_file, monkeypatch):
    """Everything a checkpoint derives from the candidates needs a PBKDF2 at least as slow as the backup's."""
    ckpt = tmp_path / "ckpt.json"
    stop = threading.Event()
    stop.set()
    PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt).run(workers=1, stop=stop)
    saved = json.loads(ckpt.read_text())
    digest = Candidates(words=DECOYS).definition_digest()
    state = cp.load(ckpt)
    assert state is not None
    # The fast inputs stored beside it (the file's hash) and the guessed definition do not make the key any more
    # (version 2's key was exactly this SHA-256: a guess cost microseconds).
    fast = hashlib.sha256(b"concordium-backup/recovery-checkpoint-mac\0" + digest + saved["fileSha256"].encode())
    assert not state.verifies(fast.digest())
    # What does: the slow secret, whose PBKDF2 runs with more than the backup's own iterations.
    seen: list[int] = []
    real = cp.derive_key
    monkeypatch.setattr(cp, "derive_key", lambda pw, kdf: seen.append(kdf.iterations) or real(pw, kdf))
    file_kdf = container.parse_container(desktop_file).kdf
    secret = cp.search_secret(digest, file_kdf, saved["fileSha256"])
    assert seen == [file_kdf.iterations * cp.SLOWDOWN] and cp.SLOWDOWN >= 1
    assert state.verifies(cp.mac_key(secret)) and cp.search_fingerprint(secret) == saved["search"]


def test_an_older_checkpoint_is_refused_with_its_own_code(tmp_path, desktop_file):
    ckpt = tmp_path / "ckpt.json"
    stop = threading.Event()
    stop.set()
    PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt).run(workers=1, stop=stop)
    ckpt.write_text(json.dumps(dict(json.loads(ckpt.read_text()), version=2)))
    with pytest.raises(errors.CheckpointOutdatedError) as caught:
        PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt)
    assert caught.value.code == "checkpoint-outdated" and caught.value.subject == "checkpoint"
    assert "--" not in caught.value.message and ckpt.exists()  # the library names no flag; the file is kept


def test_a_found_password_keeps_the_checkpoint_with_the_hit_not_done(tmp_path, desktop_file):
    words = [*DECOYS, PASSWORD, "after-it-0001"]
    ckpt = tmp_path / "ckpt.json"
    search = PasswordSearch(desktop_file, Candidates(words=words), checkpoint=ckpt)
    result = search.run(workers=2, range_size=5)
    assert result.found and result.checkpoint == str(ckpt) and result.tried == len(words)
    saved = cp.load(ckpt)
    assert saved is not None and not saved.is_done(len(DECOYS)) and saved.tried == len(words) - 1
    again = PasswordSearch(desktop_file, Candidates(words=words), checkpoint=ckpt)
    assert again.run(workers=1).password == PASSWORD
    again.forget()
    assert not ckpt.exists()


def test_checkpoint_errors_name_no_flag_and_the_cli_adds_its_own(tmp_path, desktop_file):
    from toolkit.cli.hints import restate

    ckpt = tmp_path / "ckpt.json"
    ckpt.write_text("{not json")
    with pytest.raises(errors.CheckpointError) as caught:
        PasswordSearch(desktop_file, Candidates(words=DECOYS), checkpoint=ckpt)
    assert "--" not in caught.value.message and caught.value.subject == "checkpoint"
    assert "--checkpoint" in restate(caught.value).message
    with pytest.raises(errors.WriteFailedError) as written:
        cp.save(tmp_path / "no-such-folder" / "ckpt.json", cp.Checkpoint(file_sha256="x", search="y", total=1))
    assert "--" not in written.value.message and "--no-checkpoint" in restate(written.value).message
