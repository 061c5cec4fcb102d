"""Realistic, deterministic synthetic wallet documents for samples, tests and benchmarks.

The records follow the wallets' real shapes and key orders (docs/FORMAT.md §2, §4)
with valid base58check addresses; every value is made up.  The same seed gives
the same document.
"""

from __future__ import annotations

import json
import random
from typing import Any

from toolkit.model.addresses import address_from_bytes
from toolkit.model.network import GENESIS_HASHES

_NETWORK_GENESIS = {name: h for h, name in GENESIS_HASHES.items()}
_PROVIDERS = [
    (0, "Concordium testnet IP", "https://concordium.com"),
    (1, "Notabene (Identity Verification)", "https://notabene.id"),
    (2, "Digital Trust Solutions TrustID", "https://www.digitaltrustsolutions.nl"),
]
_FIRST = ["Søren", "Mette", "Anna", "Lars", "Jürgen", "Ole", "Ida", "Karen", "Mads", "Freja", "Noah", "Emma"]
_LAST = ["Kierkegård", "Hansen", "Jensen", "Nielsen", "Müller", "Larsen", "Ærøe", "Pedersen"]
_WORDS = ["Savings", "Opsparing", "Drift", "Ferie", "Løn", "Hovedkonto", "Budget", "Fælles", "Staking", "Reserve"]
_ZERO_AMOUNT = "c0" + "0" * 94
_ATTRIBUTES = [
    "firstName",
    "lastName",
    "sex",
    "dob",
    "countryOfResidence",
    "nationality",
    "idDocType",
    "idDocNo",
    "idDocIssuer",
    "idDocIssuedAt",
    "idDocExpiresAt",
    "nationalIdNo",
    "taxIdNo",
]


def _hex(rng: random.Random, nbytes: int) -> str:
    return rng.randbytes(nbytes).hex()


def random_address(rng: random.Random) -> str:
    """A valid account address of 32 random bytes."""
    return address_from_bytes(rng.randbytes(32))


def _compact(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def identity_provider_json(rng: random.Random, ip: int | None = None) -> str:
    ident, name, url = _PROVIDERS[ip if ip is not None else rng.randrange(len(_PROVIDERS))]
    return _compact(
        {
            "ipInfo": {
                "ipIdentity": ident,
                "ipDescription": {"name": name, "url": url, "description": name},
                "ipVerifyKey": _hex(rng, 48),
                "ipCdiVerifyKey": _hex(rng, 32),
            },
            "arsInfos": {
                str(i): {
                    "arIdentity": i,
                    "arDescription": {"name": f"AR{i}", "url": "", "description": ""},
                    "arPublicKey": _hex(rng, 48),
                }
                for i in (1, 2, 3)
            },
            "metadata": {"issuanceStart": url + "/issue", "support": "support@" + url.split("//")[1]},
        }
    )


def identity_object_json(rng: random.Random, first: str, last: str, created: str, valid_to: str) -> str:
    return _compact(
        {
            "v": 0,
            "value": {
                "preIdentityObject": {"pubInfoForIp": {"idCredPub": _hex(rng, 48), "regId": _hex(rng, 48)}},
                "attributeList": {
                    "validTo": valid_to,
                    "createdAt": created,
                    "maxAccounts": 200,
                    "chosenAttributes": {"firstName": first, "lastName": last, "nationality": "DK"},
                },
                "signature": _hex(rng, 48),
            },
        }
    )


def _month(year: int, month: int) -> str:
    return f"{year:04d}{month:02d}"


def _synthetic_identity(
    rng: random.Random, i: int, number: int, wallet_id: int, old_format: bool
) -> tuple[dict[str, Any], tuple[int, int]]:
    """The ``i``-th identity of :func:`desktop_document`, and the (year, month) it was created."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    year = rng.randrange(2021, 2025)
    month = rng.randrange(1, 13)
    status = "confirmed" if i % 7 != 6 else rng.choice(["pending", "rejected"])
    ip = rng.randrange(len(_PROVIDERS))
    ident = {
        "id": i + 1,
        "identityNumber": number,
        "name": f"{first} {last}" if i % 2 == 0 else f"{rng.choice(_WORDS)} – {first}",
        "status": status,
        "detail": "Identity verification failed" if status == "rejected" else None,
        "codeUri": f"{_PROVIDERS[ip][2]}/api/v1/identity/{_hex(rng, 16)}",
        "identityProvider": identity_provider_json(rng, ip),
        "identityObject": None
        if status != "confirmed"
        else identity_object_json(rng, first, last, _month(year, month), _month(year + 5, month)),
        "randomness": _hex(rng, 32),
        "walletId": wallet_id,
    }
    if not old_format:
        ident["version"] = 1
    return ident, (year, month)


def _synthetic_account(
    rng: random.Random, ident: dict[str, Any], n: int, year: int, month: int, old_format: bool
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The ``n``-th account of identity ``ident`` in :func:`desktop_document`: the account, its credential
    and its address-book entry."""
    address = random_address(rng)
    name = rng.choice(_WORDS) + (f" {n}" if n else "")
    status = ident["status"]
    account: dict[str, Any] = {
        "identityId": ident["id"],
        "name": name,
        "status": "confirmed" if status == "confirmed" else status,
        "selfAmounts": _ZERO_AMOUNT,
        "incomingAmounts": "[]",
        "signatureThreshold": 1,
        "totalDecrypted": "0",
        "allDecrypted": True,
        "deploymentTransactionId": None if n == 0 else _hex(rng, 32),
        "isInitial": n == 0,
        "address": address,
        "transactionFilter": {},
    }
    if old_format:
        del account["transactionFilter"]
        account["rewardFilter"] = "[]"
    credential = {
        "identityId": ident["id"],
        "accountAddress": address,
        "credId": _hex(rng, 48),
        "credentialNumber": n,
        "credentialIndex": 0,
        "policy": _compact(
            {"createdAt": _month(year, month), "revealedAttributes": {}, "validTo": _month(year + 5, month)}
        ),
        "randomness": None,
    }
    entry = {
        "name": name,
        "address": address,
        "note": f"{'Initial account' if n == 0 else 'Account'} of identity: {ident['name']}",
        "readOnly": True,
    }
    return account, credential, entry


def desktop_document(
    *,
    identities: int = 3,
    accounts_per_identity: int = 2,
    contacts: int = 3,
    external_credentials: int = 1,
    wallets: int = 1,
    network: str | None = "mainnet",
    old_format: bool = False,
    seed: int = 0,
) -> dict[str, Any]:
    """A Desktop Wallet export.  ``old_format`` drops externalCredentials and genesis
    and gives accounts the obsolete ``rewardFilter``, like files from before v1.1.5."""
    rng = random.Random(seed)
    wallet_list = [{"id": i + 1, "identifier": _hex(rng, 32), "type": "ledgernanos"} for i in range(wallets)]
    identity_list: list[dict[str, Any]] = []
    account_list: list[dict[str, Any]] = []
    credential_list: list[dict[str, Any]] = []
    book: list[dict[str, Any]] = []
    numbers: dict[int, int] = {}
    for i in range(identities):
        wallet_id = wallet_list[i % wallets]["id"] if wallets else 1
        number = numbers.get(wallet_id, 0)
        numbers[wallet_id] = number + 1
        ident, (year, month) = _synthetic_identity(rng, i, number, wallet_id, old_format)
        identity_list.append(ident)
        for n in range(accounts_per_identity):
            account, credential, entry = _synthetic_account(rng, ident, n, year, month, old_format)
            account_list.append(account)
            credential_list.append(credential)
            book.append(entry)
    for _ in range(contacts):
        book.append(
            {
                "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                "address": random_address(rng),
                "note": rng.choice([None, "", "Husleje", "Miete für März"]),
                "readOnly": False,
            }
        )
    doc: dict[str, Any] = {
        "accounts": account_list,
        "identities": identity_list,
        "addressBook": book,
        "credentials": credential_list,
    }
    if not old_format:
        doc["externalCredentials"] = [
            {
                "accountAddress": rng.choice(account_list)["address"] if account_list else random_address(rng),
                "credId": _hex(rng, 48),
                "note": f"{rng.choice(_FIRST)}’s key",
            }
            for _ in range(external_credentials)
        ]
    doc["wallets"] = wallet_list
    if not old_format and network is not None:
        doc["genesis"] = {"id": 1, "genesisBlock": _NETWORK_GENESIS.get(network, _hex(rng, 32))}
    return doc


def large_desktop_document(
    accounts: int = 20_000, credentials: int = 20_000, address_book: int = 10_000, *, seed: int = 0, rich: bool = False
) -> dict[str, Any]:
    """A big export for benchmarks: ``accounts`` accounts over ``accounts // 10`` identities.

    ``rich`` makes it as rich as a real wallet's (see :func:`_enrich`)."""
    n_identities = max(1, accounts // 10)
    doc = desktop_document(
        identities=n_identities,
        accounts_per_identity=10,
        contacts=max(0, address_book - accounts),
        external_credentials=10,
        seed=seed,
    )
    doc["accounts"] = doc["accounts"][:accounts]
    doc["credentials"] = doc["credentials"][:credentials]
    doc["addressBook"] = doc["addressBook"][:address_book]
    if rich:
        _enrich(doc, random.Random(seed + 1))
    return doc


_ATTRIBUTE_VALUES = {
    "sex": "1",
    "dob": "19800229",
    "countryOfResidence": "DK",
    "nationality": "DK",
    "idDocType": "1",
    "idDocNo": "AB1234567",
    "idDocIssuer": "DK",
    "idDocIssuedAt": "20200101",
    "idDocExpiresAt": "20300101",
    "nationalIdNo": "010180-1234",
    "taxIdNo": "1234567890",
}


def full_identity_object_json(rng: random.Random, first: str, last: str, created: str, valid_to: str) -> str:
    """An identity object the size of a real one: the pre-identity object with its proofs for three
    anonymity revokers, and many chosen attributes (the Desktop Wallet stores it as this JSON string)."""
    chosen = {"firstName": first, "lastName": last}
    chosen.update({a: _ATTRIBUTE_VALUES[a] for a in rng.sample(_ATTRIBUTES[2:], 7)})
    return _compact(
        {
            "v": 0,
            "value": {
                "preIdentityObject": {
                    "idCredPub": _hex(rng, 48),
                    "ipArData": {
                        str(ar): {"encPrfKeyShare": _hex(rng, 192), "proofComEncEq": _hex(rng, 96)} for ar in (1, 2, 3)
                    },
                    "choiceArData": {"arIdentities": [1, 2, 3], "threshold": 2},
                    "idCredSecCommitment": _hex(rng, 48),
                    "prfKeyCommitmentWithIP": _hex(rng, 48),
                    "prfKeySharingCoeffCommitments": [_hex(rng, 48) for _ in range(2)],
                    "proofsOfKnowledge": _hex(rng, 660),
                },
                "attributeList": {
                    "validTo": valid_to,
                    "createdAt": created,
                    "maxAccounts": 200,
                    "chosenAttributes": chosen,
                },
                "signature": _hex(rng, 48),
            },
        }
    )


def _enrich(doc: dict[str, Any], rng: random.Random) -> None:
    """Make a document as rich as a real wallet's: full identity objects, credential policies that reveal
    attributes (with their randomness), and a note on every address-book entry."""
    for identity in doc["identities"]:
        obj = identity.get("identityObject")
        if obj:
            attrs = json.loads(obj)["value"]["attributeList"]
            chosen = attrs["chosenAttributes"]
            identity["identityObject"] = full_identity_object_json(
                rng, chosen["firstName"], chosen["lastName"], attrs["createdAt"], attrs["validTo"]
            )
    for i, credential in enumerate(doc["credentials"]):
        if i % 3:
            continue
        policy = json.loads(credential["policy"])
        revealed = rng.sample(_ATTRIBUTES[2:], rng.randrange(1, 4))
        policy["revealedAttributes"] = {a: _ATTRIBUTE_VALUES[a] for a in revealed}
        credential["policy"] = _compact(policy)
        credential["randomness"] = _compact({"attributesRand": {a: _hex(rng, 32) for a in revealed}})
    for entry in doc["addressBook"]:
        if not entry.get("note"):
            entry["note"] = f"{rng.choice(_WORDS)} – {rng.choice(_FIRST)} {rng.choice(_LAST)}"


def legacy_document(
    *,
    identities: int = 2,
    accounts_per_identity: int = 2,
    recipients: int = 2,
    environment: str = "mainnet",
    seed: int = 0,
) -> dict[str, Any]:
    """A legacy mobile wallet export, private keys included (random, of course)."""
    rng = random.Random(seed)
    out_identities = []
    for _i in range(identities):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        year, month = rng.randrange(2020, 2023), rng.randrange(1, 13)
        accounts = []
        for n in range(accounts_per_identity):
            accounts.append(
                {
                    "name": f"{first}'s {rng.choice(_WORDS).lower()}" if n else f"{first}'s konto",
                    "address": random_address(rng),
                    "submissionId": _hex(rng, 32),
                    "accountKeys": {
                        "keys": {
                            "0": {"keys": {"0": {"signKey": _hex(rng, 32), "verifyKey": _hex(rng, 32)}}, "threshold": 1}
                        },
                        "threshold": 1,
                    },
                    "commitmentsRandomness": {"idCredSecRand": _hex(rng, 32), "prfRand": _hex(rng, 32)},
                    "revealedAttributes": {},
                    "credential": {
                        "v": 0,
                        "value": {"arData": {}, "credId": _hex(rng, 48), "ipIdentity": 1, "revocationThreshold": 2},
                    },
                    "encryptionSecretKey": _hex(rng, 96),
                }
            )
        provider = json.loads(identity_provider_json(rng))
        out_identities.append(
            {
                "name": f"{first}'s identitet",
                "nextAccountNumber": accounts_per_identity,
                "identityProvider": provider,
                "identityObject": {
                    "attributeList": {
                        "chosenAttributes": {"firstName": first, "lastName": last, "nationality": "DK"},
                        "validTo": _month(year + 5, month),
                        "maxAccounts": 200,
                        "createdAt": _month(year, month),
                    },
                    "preIdentityObject": {"pubInfoForIp": {"idCredPub": _hex(rng, 48)}},
                    "signature": _hex(rng, 48),
                },
                "privateIdObjectData": {
                    "aci": {"credentialHolderInformation": {"idCredSecret": _hex(rng, 32)}, "prfKey": _hex(rng, 32)},
                    "randomness": _hex(rng, 32),
                },
                "accounts": accounts,
            }
        )
    recips = [
        {"name": f"{rng.choice(_FIRST)} & {rng.choice(_FIRST)}", "address": random_address(rng)}
        for _ in range(recipients)
    ]
    return {
        "type": "concordium-mobile-wallet-data",
        "v": 1,
        "value": {"identities": out_identities, "recipients": recips},
        "environment": environment,
    }
