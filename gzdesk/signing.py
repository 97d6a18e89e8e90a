"""This office's signing key (Ed25519, the ``cryptography`` package) and fingerprints read over the phone.

Each office database gets one key pair when it is set up (``office.init_office``; an older
database gets its key before its first export). The private key signs the office's 上报快照
(``gzdesk.exchange.trust``). Where it is, and where it is not:

- it is in the database file (table ``signing_key``): whoever has the file has the key — a backup
  *is* the database, so a backup copy holds it too and must be kept like the database itself;
- it is never in a 上报快照 (the table is emptied in the copy, and the file vacuumed), never in an
  Excel export (which writes registry sheets only), never in the audit log (which keeps a SHA-256
  of it), never printed.

What a signature proves: the snapshot was exported, unchanged since, by a gzdesk database holding
that private key. Whether the key belongs to the county is what the receiving office settles once,
by reading the fingerprint to each other over the phone when it first pins it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk.errors import UserError
from gzdesk.models import SigningKey
from gzdesk.models.base import now

FINGERPRINT_TAG = b"gzdesk-key/1\n"


def _ed25519():
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519


def _raw(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    if hasattr(key, "private_bytes"):
        return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def new_key_pair() -> tuple[str, str]:
    """(public, private) as hex (32 bytes each)."""
    private = _ed25519().Ed25519PrivateKey.generate()
    return _raw(private.public_key()).hex(), _raw(private).hex()


def sign(private_hex: str, message: bytes) -> str:
    key = _ed25519().Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return key.sign(message).hex()


def verify(public_hex: str, message: bytes, signature_hex: str) -> bool:
    """Whether ``signature_hex`` is ``public_hex``'s signature of ``message`` (False for anything malformed)."""
    from cryptography.exceptions import InvalidSignature

    try:
        key = _ed25519().Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def valid_public_key(text: str | None) -> bool:
    try:
        return text is not None and len(bytes.fromhex(text)) == 32
    except ValueError:
        return False


def fingerprint(public_hex: str) -> str:
    """20 digits in groups of four (``1234 5678 9012 3456 7890``): short enough to read over the
    phone, about 66 bits of the key's SHA-256 — far more than anyone could match by trying keys."""
    digest = hashlib.sha256(FINGERPRINT_TAG + bytes.fromhex(public_hex)).digest()
    digits = f"{int.from_bytes(digest[:10], 'big') % 10 ** 20:020d}"
    return " ".join(digits[i:i + 4] for i in range(0, 20, 4))


def office_key(session: Session) -> SigningKey | None:
    return session.scalars(select(SigningKey).order_by(SigningKey.id).limit(1)).first()


def ensure_key(session: Session) -> str:
    """This office's public key, making the key pair if the database has none yet."""
    key = office_key(session)
    if key is None:
        public, private = new_key_pair()
        key = SigningKey(public_key=public, private_key=private, created_at=now())
        session.add(key)
        session.flush()
    if not valid_public_key(key.public_key):
        raise UserError("本库的签名密钥已损坏，无法签名上报快照（请运行 gzdesk verify 检查数据库）")
    return key.public_key


def office_fingerprint(session: Session) -> str | None:
    key = office_key(session)
    return fingerprint(key.public_key) if key is not None and valid_public_key(key.public_key) else None
