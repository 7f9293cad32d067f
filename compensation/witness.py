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

Each file also lists the entries written since the directory's previous file
(format /2: chain → [sequence, hash, kind, subject type, subject id]), so a
check names the first witnessed entry that is gone or changed, and the record
it was about, not only the head that no longer matches. `verify_audit --heads
DIR` checks every file in the directory (an attacker who rewrote the journal
and let a later run witness the result is still caught by the earlier files);
`--witness DIR` checks the newest file first and refuses to sign over a
mismatch.
"""

from __future__ import annotations

import base64
import functools
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

FORMAT = "recovery-desk-witnessed-heads/2"
FORMATS = ("recovery-desk-witnessed-heads/1", FORMAT)  # /1: heads only, no entries
FILE_GLOB = "heads-*.json"
BATCH = 1000


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
    names = (
        ("format", "witnessed_at", "heads", "entries") if "entries" in document else ("format", "witnessed_at", "heads")
    )
    body = {name: document[name] for name in names}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def heads_sign(heads: dict[str, tuple[int, str]], *, key: Ed25519PrivateKey, at, entries=None) -> dict:
    """The signed heads document for `heads` (chain → (sequence, hash)) at `at`, with the `entries` it vouches for
    (chain → [[sequence, hash, kind, subject_type, subject_id], …]; the entries since the previous file)."""
    document = {
        "format": FORMAT,
        "witnessed_at": at.isoformat(),
        "heads": {chain: [sequence, hash_] for chain, (sequence, hash_) in sorted(heads.items())},
        "entries": dict(sorted((entries or {}).items())),
    }
    document["key_id"] = key_id(key.public_key())
    document["signature"] = base64.b64encode(key.sign(_signed_bytes(document))).decode()
    return document


def heads_open(document: dict, *, keys: dict[str, Ed25519PublicKey], name: str) -> dict[str, tuple[int, str]]:
    """The heads of a signed document, once its signature verifies with one of `keys`."""
    if not isinstance(document, dict) or document.get("format") not in FORMATS:
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


def _previous_heads(directory: Path) -> dict[str, int]:
    """chain → the sequence the directory's newest file witnessed up to (nothing witnessed yet: empty)."""
    files = sorted(directory.glob(FILE_GLOB)) if directory.is_dir() else []
    if not files:
        return {}
    try:
        heads = json.loads(files[-1].read_text())["heads"]
        return {chain: int(sequence) for chain, (sequence, _hash) in heads.items()}
    except (OSError, ValueError, KeyError, TypeError):
        raise WitnessError(f"{files[-1]}: cannot be read as heads, so the next file cannot follow it.") from None


def _entries_since(heads: dict[str, tuple[int, str]], previous: dict[str, int]) -> dict[str, list]:
    """The entries after `previous` up to `heads`, per chain, as a heads file lists them."""
    entries = {}
    for chain, (head, _hash) in heads.items():
        rows = (
            AuditEvent.objects.filter(chain=chain, sequence__gt=previous.get(chain, 0), sequence__lte=head)
            .order_by("sequence")
            .values_list("sequence", "hash", "kind", "subject_type", "subject_id")
        )
        entries[chain] = [list(row) for row in rows]
    return entries


def witness_write(directory: Path, *, at=None) -> Path:
    """Sign the current heads, and the entries since the directory's newest file, as a new file in `directory`
    (never over an existing one)."""
    at = at or timezone.now()
    heads = chain_heads()
    entries = _entries_since(heads, _previous_heads(directory))
    document = heads_sign(heads, key=signing_key(), at=at, entries=entries)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"heads-{at.strftime('%Y%m%dT%H%M%S%fZ')}.json"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        raise WitnessError(f"{path} already exists: witnessed heads are never overwritten.") from None
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file, separators=(",", ":"))
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
    files: int = 1
    entries: int = 0


def _read_heads_file(source: Path, keys) -> tuple[dict, dict, str, bool]:
    """(heads, entries, label, signed) of one file; a signed file's signature must verify."""
    try:
        document = json.loads(source.read_text())
    except (OSError, ValueError) as error:
        raise WitnessError(f"{source}: cannot be read as heads ({error}).") from None
    if isinstance(document, dict) and "signature" in document:
        heads = heads_open(document, keys=keys(), name=str(source))
        return heads, document.get("entries") or {}, f"witnessed at {document['witnessed_at']}", True
    heads = {chain: (int(sequence), str(hash_)) for chain, (sequence, hash_) in document.items()}
    return heads, {}, "exported", False


def _entry_words(kind, subject_type, subject_id) -> str:
    return f"{kind}, {subject_type} #{subject_id}"


def _entry_problems(chain: str, rows: list, label: str) -> tuple[int, str] | None:
    """The first witnessed entry of `chain` (rows: [sequence, hash, kind, subject_type, subject_id]) that the
    database no longer holds as it was: (sequence, what happened to it), or None."""
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        now = {
            row[0]: row[1:]
            for row in AuditEvent.objects.filter(chain=chain, sequence__in=[row[0] for row in batch]).values_list(
                "sequence", "hash", "kind", "subject_type", "subject_id"
            )
        }
        for sequence, hash_, kind, subject_type, subject_id in batch:
            was = f"entry #{sequence} ({_entry_words(kind, subject_type, subject_id)}) {label}"
            if sequence not in now:
                return sequence, f"{was} is gone (the chain was cut, or rewritten from an earlier entry)."
            still_hash, *still = now[sequence]
            if list(still) != [kind, subject_type, subject_id]:
                return sequence, (
                    f"{was} is gone: #{sequence} now holds {_entry_words(*still)} (an entry was removed or "
                    "inserted, and the chain renumbered and rehashed)."
                )
            if still_hash != hash_:
                return sequence, (
                    f"{was} was changed: its hash was {hash_[:12]}… and is now {still_hash[:12]}… (the entry was "
                    "rewritten and the chain rehashed)."
                )
    return None


def _head_problem(chain: str, sequence: int, hash_: str, label: str) -> str | None:
    still = AuditEvent.objects.filter(chain=chain, sequence=sequence).values_list("hash", flat=True).first()
    if still is None:
        return (
            f"entry #{sequence} no longer matches the head {label}: it is gone "
            "(the chain was cut, or rewritten from an earlier entry)."
        )
    if still != hash_:
        return (
            f"entry #{sequence} no longer matches the head {label}: its hash was {hash_[:12]}… and is now "
            f"{still[:12]}… (the chain was rewritten and rehashed)."
        )
    return None


def heads_check(path: Path, *, every_file: bool = True) -> HeadsChecked:
    """Check the database against witnessed heads: a directory's files (all of them, or only the newest), or one
    file.

    Every witnessed entry listed in a file must still be there with the same hash, kind and subject, and every
    file's heads too. A file without a signature (from `--export-heads`) is compared as it is. Raises
    WitnessError naming, per chain, the first witnessed entry that no longer matches and the record it was about.
    """
    if path.is_dir():
        files = sorted(path.glob(FILE_GLOB)) if every_file else [latest_heads_file(path)]
        if not files:
            latest_heads_file(path)  # raises: nothing to check against
    else:
        files = [path]
    keys = functools.cache(verifying_keys)
    first: dict[str, tuple[int, str]] = {}  # chain → (sequence, message) of its earliest problem
    signed, chains, entries = True, 0, 0
    for source in files:
        heads, listed, label, signed = _read_heads_file(source, keys)
        chains = len(heads)
        for chain, rows in listed.items():
            entries += len(rows)
            problem = _entry_problems(chain, rows, label) if chain not in first else None
            if problem:
                first[chain] = problem
        for chain, (sequence, hash_) in heads.items():
            if chain in first and first[chain][0] <= sequence:
                continue
            problem = _head_problem(chain, sequence, hash_, label)
            if problem:
                first[chain] = (sequence, problem)
    if first:
        raise WitnessError(
            "\n".join(f"Audit chain {chain}: {message}" for chain, (_sequence, message) in sorted(first.items()))
        )
    return HeadsChecked(source=files[-1], chains=chains, signed=signed, files=len(files), entries=entries)
