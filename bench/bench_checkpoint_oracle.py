"""How fast can someone holding only a recovery checkpoint test guessed hints, against testing them on the backup?

An attacker with the checkpoint (and the backup's KDF settings, which a checkpoint is useless without) guesses
the owner's candidate list — here one word at a time, as in the review that found the old checkpoint to be an
oracle — and checks the guess against what the checkpoint stores.  Three rates, one core each, in the same run:

- against the backup: one PBKDF2 with the file's settings and one decrypted block per guess (the search's own
  cost per candidate);
- against a version-3 checkpoint (now): the slow, file-bound secret (PBKDF2 with SLOWDOWN × the file's
  iterations), then its HMAC fingerprint;
- against a version-2 checkpoint (before): the MAC key was a SHA-256 of the definition's digest and the file's
  hash (stored beside it), so a guess cost one SHA-256 and one HMAC.

Usage: ``python bench/bench_checkpoint_oracle.py [--seconds 4] [--iterations 10000]``
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import time
from collections.abc import Callable

from toolkit.format import container as ct
from toolkit.ops.recovery import Candidates, PasswordSearch
from toolkit.ops.recovery import checkpoint as cp

PLAINTEXT = b'{"accounts":[],"identities":[],"addressBook":[],"credentials":[],"wallets":[]}'


def rate(test: Callable[[str], bool], seconds: float) -> float:
    """Guesses per second of ``test`` over ``seconds`` (none of the guesses is right)."""
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        assert not test(f"guess-{n:08d}")
        n += 1
    return n / (time.perf_counter() - t0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--iterations", type=int, default=ct.DESKTOP_ITERATIONS)
    args = parser.parse_args()

    data = ct.encrypt(PLAINTEXT, "the-real-password", iterations=args.iterations)
    container = ct.parse_container(data)
    kdf = container.kdf
    # What the attacker holds: the checkpoint of a search for the hint "the-real-passwort" (one typo away).
    search = PasswordSearch(data, Candidates(words=["the-real-passwort"], typos=1))
    saved = search._progress.to_json()  # the fields a saved checkpoint holds
    file_sha = saved["fileSha256"]

    def against_backup(guess: str) -> bool:
        return ct.first_block_matches(container, ct.derive_key(guess, kdf))

    def against_v3(guess: str) -> bool:
        digest = Candidates(words=[guess], typos=1).definition_digest()
        return cp.search_fingerprint(cp.search_secret(digest, kdf, file_sha)) == saved["search"]

    def against_v2(guess: str) -> bool:  # the formula of version 2 (toolkit before this change), for comparison
        digest = Candidates(words=[guess], typos=1).definition_digest()
        key = hashlib.sha256(b"concordium-backup/recovery-checkpoint-mac\0" + digest + file_sha.encode()).digest()
        body = json.dumps([file_sha, "s", saved["total"], 0, []], separators=(",", ":")).encode()
        return hmac.compare_digest("0" * 64, hmac.new(key, body, hashlib.sha256).hexdigest())

    assert against_v3("the-real-passwort")  # the right hint is recognised: the bench measures a working test
    print(f"PBKDF2-HMAC-SHA256, {args.iterations:,} iterations; checkpoint SLOWDOWN {cp.SLOWDOWN}; one core each")
    backup = rate(against_backup, args.seconds)
    v3 = rate(against_v3, args.seconds)
    v2 = rate(against_v2, args.seconds)
    print(f"against the backup:                {backup:12,.1f} guesses/s")
    print(f"against a version-3 checkpoint:    {v3:12,.1f} guesses/s  = {v3 / backup:.2f}x the backup (goal <= 1)")
    print(f"against a version-2 checkpoint:    {v2:12,.1f} guesses/s  = {v2 / backup:,.0f}x the backup (before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
