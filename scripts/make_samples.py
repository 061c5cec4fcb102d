"""Make the bundled samples in data/samples/ (deterministic: same bytes on every run).

    python scripts/make_samples.py

The documents come from toolkit.testing.synthetic; salt and IV are derived from the
file name so the output is reproducible.  Passwords are in data/samples/*.password
and data/samples/README.md.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.format import container, jsonio  # noqa: E402
from toolkit.testing import synthetic  # noqa: E402

OUT = ROOT / "data" / "samples"

PASSWORDS = {
    "wallet-export.json": "Sample-Wallet-2026",
    "wallet-export-later.json": "Sample-Wallet-2026",
    "wallet-export-old.json": "old-sample-pass",
    "concordium-backup.concordiumwallet": "mobile-sample-pass",
    "wallet-export-damaged.json": "Sample-Wallet-2026",
    "wallet-export-bitrot.json": "Sample-Wallet-2026",
    "wallet-export-forgotten.json": "Kastanje-Allé-17",
}


def _salt_iv(name: str, salt_len: int) -> tuple[bytes, bytes]:
    digest = hashlib.sha512(f"concordium-backup-toolkit sample {name}".encode()).digest()
    return digest[:salt_len], digest[32:48]


def _write(name: str, plaintext: bytes, *, layout: str = "desktop") -> bytes:
    salt, iv = _salt_iv(name, 32 if layout == "legacy" else 16)
    data = container.encrypt(plaintext, PASSWORDS[name], salt=salt, iv=iv, layout=layout)  # type: ignore[arg-type]
    (OUT / name).write_bytes(data)
    (OUT / name).with_suffix(".password").write_text(PASSWORDS[name] + "\n", encoding="utf-8")
    return data


def later_version(doc: dict) -> dict:
    """The same wallet some months later: a new account, a renamed one, a changed note, a new contact."""
    later = copy.deepcopy(doc)
    later["accounts"][1]["name"] = "Ferie 2027"
    later["addressBook"][1]["name"] = "Ferie 2027"
    later["addressBook"][-1]["note"] = "Husleje (ny aftale)"
    pending = next(i for i in later["identities"] if i["status"] != "confirmed")
    pending["status"] = "confirmed"
    pending["detail"] = None
    more = synthetic.desktop_document(identities=1, accounts_per_identity=1, contacts=1, seed=99)
    new_acc = dict(more["accounts"][0], identityId=later["identities"][0]["id"], isInitial=False, name="Opsparing 2")
    later["accounts"].append(new_acc)
    later["credentials"].append(
        dict(
            more["credentials"][0],
            identityId=new_acc["identityId"],
            credentialNumber=9,
            accountAddress=new_acc["address"],
        )
    )
    later["addressBook"].append(dict(more["addressBook"][0], name="Opsparing 2"))
    later["addressBook"].append(more["addressBook"][-1])
    return later


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    doc = synthetic.desktop_document(
        identities=4, accounts_per_identity=3, contacts=4, external_credentials=2, wallets=2, seed=2026
    )
    # one pending identity so the samples show statuses and audit findings
    doc["identities"][3]["status"] = "pending"
    doc["identities"][3]["identityObject"] = None
    for acc in doc["accounts"]:
        if acc["identityId"] == 4:
            acc["status"] = "pending"
    current = jsonio.dumps_js(doc)
    _write("wallet-export.json", current)
    _write("wallet-export-later.json", jsonio.dumps_js(later_version(doc)))
    _write("wallet-export-forgotten.json", current)
    old = synthetic.desktop_document(identities=2, accounts_per_identity=2, contacts=2, old_format=True, seed=2021)
    _write("wallet-export-old.json", jsonio.dumps_js(old))
    legacy = synthetic.legacy_document(identities=2, accounts_per_identity=2, recipients=2, seed=2022)
    _write("concordium-backup.concordiumwallet", jsonio.dumps_gson(legacy), layout="legacy")
    # A download that stopped at 60 %: the outer JSON is cut short inside cipherText.
    whole = _write("wallet-export-damaged.json", current)
    (OUT / "wallet-export-damaged.json").write_bytes(whole[: len(whole) * 6 // 10])
    # Bit rot: three ciphertext bytes flipped in different places; the outer JSON is intact.
    whole = _write("wallet-export-bitrot.json", current)
    outer = json.loads(whole)
    ct = bytearray(base64.b64decode(outer["cipherText"]))
    for pos in (len(ct) // 5, len(ct) // 2 + 7, len(ct) * 4 // 5 + 3):
        ct[pos] ^= 0x5A
    outer["cipherText"] = base64.b64encode(bytes(ct)).decode("ascii")
    (OUT / "wallet-export-bitrot.json").write_bytes(jsonio.dumps_js(outer))
    print(f"wrote {len(PASSWORDS)} samples to {OUT}")


if __name__ == "__main__":
    main()
