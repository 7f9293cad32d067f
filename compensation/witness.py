"""Witnessed heads: each chain's latest (sequence, hash), signed with a key the database never sees.

The journal's hash chain proves that no entry was changed *relative to the
entries after it*; someone with full database access can still cut the newest
entries, or change one and recompute every hash after it, and the chain
verifies. So the heads are written out, signed, to a witness directory the
database role cannot reach (another host's mount, an append-only bucket synced
from it), by `verify_audit --witness DIR` after each verification: a cron line
every few minutes. `verify_audit --heads DIR` then takes the newest signed
heads there, checks the signature and that every witnessed entry is still in
the database with the same hash.

Keys are Ed25519 (the `cryptography` package), PEM files named by settings,
outside the database: `AUDIT_WITNESS_KEYS` (private keys; the first signs, all
verify) and `AUDIT_WITNESS_PUBLIC_KEYS` (retired keys that only verify, their
private half destroyed). A key is named by its id, the first 16 hex digits of
the SHA-256 of its raw public key, written in each heads file. Rotating: put a
new private key first, move the old one's public key to
`AUDIT_WITNESS_PUBLIC_KEYS` while its files may still be read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from compensation.journal import chain_heads
from compensation.models import AuditEvent

FORMAT = "recovery-desk-witnessed-heads/1"
FILE_GLOB = "heads-*.json"


class WitnessError(Exception):
    """Signed heads that cannot be written, read or trusted, or that the database no longer matches."""


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _read_pem(path: str, *, private: bool):
    try:
        data = Path(path).read_bytes()
        key = (
            serialization.load_pem_private_key(data, password=None)
            if private
            else serialization.load_pem_public_key(data)
        )
    except (OSError, ValueError, TypeError) as error:
        raise WitnessError(f"Witness key {path}: cannot be read as a PEM key ({error}).") from None
    if not isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)):
        raise WitnessError(f"Witness key {path}: not an Ed25519 key.")
    return key


def signing_key() -> Ed25519PrivateKey:
    """The first of AUDIT_WITNESS_KEYS."""
    paths = settings.AUDIT_WITNESS_KEYS
    if not paths:
        raise WitnessError("No witness key: set AUDIT_WITNESS_KEYS to an Ed25519 private key file (docs/BACKUP.md).")
    return _read_pem(paths[0], private=True)


def verifying_keys() -> dict[str, Ed25519PublicKey]:
    """Every key that may have signed heads, by id: the private keys' public halves and the retired ones."""
    keys = [_read_pem(path, private=True).public_key() for path in settings.AUDIT_WITNESS_KEYS]
    keys += [_read_pem(path, private=False) for path in settings.AUDIT_WITNESS_PUBLIC_KEYS]
    return {key_id(key): key for key in keys}


def _signed_bytes(document: dict) -> bytes:
    body = {name: document[name] for name in ("format", "witnessed_at", "heads")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def heads_sign(heads: dict[str, tuple[int, str]], *, key: Ed25519PrivateKey, at) -> dict:
    """The signed heads document for `heads` (chain → (sequence, hash)) at `at`."""
    document = {
        "format": FORMAT,
        "witnessed_at": at.isoformat(),
        "heads": {chain: [sequence, hash_] for chain, (sequence, hash_) in sorted(heads.items())},
    }
    document["key_id"] = key_id(key.public_key())
    document["signature"] = base64.b64encode(key.sign(_signed_bytes(document))).decode()
    return document


def heads_open(document: dict, *, keys: dict[str, Ed25519PublicKey], name: str) -> dict[str, tuple[int, str]]:
    """The heads of a signed document, once its signature verifies with one of `keys`."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise WitnessError(f"{name}: not a witnessed heads file ({FORMAT}).")
    key = keys.get(document.get("key_id"))
    if key is None:
        raise WitnessError(
            f"{name}: signed with key {document.get('key_id')}, which is not among AUDIT_WITNESS_KEYS or "
            "AUDIT_WITNESS_PUBLIC_KEYS."
        )
    try:
        key.verify(base64.b64decode(document["signature"]), _signed_bytes(document))
    except (InvalidSignature, KeyError, ValueError, TypeError):
        raise WitnessError(
            f"{name}: the signature does not verify: the file was changed after it was signed."
        ) from None
    return {chain: (int(sequence), str(hash_)) for chain, (sequence, hash_) in document["heads"].items()}


def witness_write(directory: Path, *, at=None) -> Path:
    """Sign the current heads and write them as a new file in `directory` (never over an existing one)."""
    at = at or timezone.now()
    document = heads_sign(chain_heads(), key=signing_key(), at=at)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"heads-{at.strftime('%Y%m%dT%H%M%S%fZ')}.json"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        raise WitnessError(f"{path} already exists: witnessed heads are never overwritten.") from None
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file, indent=2)
    return path


def latest_heads_file(directory: Path) -> Path:
    files = sorted(directory.glob(FILE_GLOB))
    if not files:
        raise WitnessError(f"{directory}: no witnessed heads ({FILE_GLOB}) to check against.")
    return files[-1]


@dataclass(frozen=True)
class HeadsChecked:
    source: Path
    chains: int
    signed: bool


def heads_check(path: Path) -> HeadsChecked:
    """Check the database against witnessed heads: a directory's newest signed file, or one file.

    A file without a signature (from `--export-heads`) is compared as it is.
    Raises WitnessError naming the chain and the entry that no longer matches.
    """
    source = latest_heads_file(path) if path.is_dir() else path
    try:
        document = json.loads(source.read_text())
    except (OSError, ValueError) as error:
        raise WitnessError(f"{source}: cannot be read as heads ({error}).") from None
    signed = isinstance(document, dict) and "signature" in document
    if signed:
        heads = heads_open(document, keys=verifying_keys(), name=str(source))
        label = f"head witnessed at {document['witnessed_at']}"
    else:
        heads = {chain: (int(sequence), str(hash_)) for chain, (sequence, hash_) in document.items()}
        label = "exported head"
    for chain, (sequence, hash_) in sorted(heads.items()):
        still = AuditEvent.objects.filter(chain=chain, sequence=sequence).values_list("hash", flat=True).first()
        if still is None:
            raise WitnessError(
                f"Audit chain {chain}: entry #{sequence} no longer matches the {label}: it is gone "
                "(the chain was cut, or rewritten from an earlier entry)."
            )
        if still != hash_:
            raise WitnessError(
                f"Audit chain {chain}: entry #{sequence} no longer matches the {label}: its hash was "
                f"{hash_[:12]}… and is now {still[:12]}… (the chain was rewritten and rehashed)."
            )
    return HeadsChecked(source=source, chains=len(heads), signed=signed)
