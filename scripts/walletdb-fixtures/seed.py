"""Write seed.json: the synthetic records make.mjs puts into each fixture database.

The wallet records are those of data/samples/wallet-export.json (made up by scripts/make_samples.py),
decrypted with the toolkit; the history rows are made up here in the shapes of the wallet's tables
(app/database/migrations/* at 0ce97cb).  Deterministic: the same file on every run.

    python scripts/walletdb-fixtures/seed.py > scripts/walletdb-fixtures/seed.json
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from toolkit import open_backup

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    sample = ROOT / "data" / "samples" / "wallet-export.json"
    password = (ROOT / "data" / "samples" / "wallet-export.password").read_text().splitlines()[0]
    doc = open_backup(sample, password).document
    full = {k: copy.deepcopy(doc[k]) for k in ("wallets", "identities", "accounts", "credentials", "addressBook")}
    full["externalCredentials"] = copy.deepcopy(doc["externalCredentials"])
    full["genesis"] = copy.deepcopy(doc["genesis"])
    # the node's global parameters (table `global`, written with genesis on the first node connection)
    full["global"] = {"onChainCommitmentKey": "b1" * 48, "bulletproofGenerators": "a5" * 256, "genesisString": "x"}
    # odd but valid rows the Export must carry as the wallet loads them
    full["addressBook"].append({"name": "anna (lower case)", "address": "3" + "A" * 49, "note": "", "readOnly": False})
    full["accounts"][1]["transactionFilter"] = {"toDate": "2026-01-01T00:00:00.000Z", "bakingReward": False}

    first_ids = {i["id"] for i in doc["identities"][:2]}
    small = {
        "wallets": [w for w in full["wallets"] if any(i["walletId"] == w["id"] for i in doc["identities"][:2])],
        "identities": [i for i in full["identities"] if i["id"] in first_ids],
        "accounts": [a for a in full["accounts"] if a["identityId"] in first_ids],
        "credentials": [c for c in full["credentials"] if c["identityId"] in first_ids],
        "addressBook": full["addressBook"][:6],
        "externalCredentials": [],
    }
    sender = small["accounts"][0]["address"]
    receiver = small["accounts"][-1]["address"]
    transactions = [
        {
            "transactionKind": "transfer" if n % 3 else "encryptedAmountTransfer",
            "id": str(1000 + n),
            "blockHash": f"{n:064x}",
            "blockTime": str(1767225600 + n * 3600),
            "transactionHash": f"{0xABC000 + n:064x}",
            "subtotal": str(1_000_000 * (n + 1)),
            "cost": "2500",
            "decryptedAmount": None if n % 3 else str(500 * n),
            "encrypted": None,
            "schedule": None,
            "fromAddress": sender,
            "toAddress": receiver,
            "status": "finalized",
            "rejectReason": None,
            "memo": None if n % 2 else f"invoice {n}",
        }
        for n in range(6)
    ]
    proposal = {
        "sender": sender,
        "nonce": "7",
        "energyAmount": "501",
        "expiry": "1767229200",
        "transactionKind": 3,
        "payload": {"toAddress": receiver, "amount": "1000000"},
    }
    history = {
        "transactions": transactions,
        "multiSignatureProposals": [
            {"transaction": json.dumps(proposal), "threshold": 2, "status": "open"},
            {"transaction": json.dumps({**proposal, "nonce": "6"}), "threshold": 2, "status": "closed"},
        ],
        "decryptedAmounts": [
            {"transactionHash": t["transactionHash"], "amount": t["decryptedAmount"]}
            for t in transactions
            if t["decryptedAmount"] is not None
        ],
        "settings": [
            {"name": "foundationTransactionsEnabled", "value": "1"},
            {"name": "nodeLocation", "value": json.dumps({"address": "127.0.0.1", "port": "20000"})},
        ],
    }
    seed = {
        "fixtures": {
            "wallet": {"password": "Wallet-DB-2026", "data": full},
            "history": {"password": "Wallet-DB-2026", "data": small, "history": history},
            # the password-change bug (WALLET-DB.md): the new password holds a '.', the file opens with 'new'
            "rekeyed": {
                "password": "old-Password-1",
                "data": small,
                "changePasswordTo": "new.Password-2",
                "opensWith": "new",
            },
        }
    }
    json.dump(seed, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
