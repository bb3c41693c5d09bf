"""TEST DOUBLE for Odoo: passlib-compatible ``pbkdf2_sha512`` hashes (stdlib only).

Odoo stores ``res_users.password`` and may store ``admin_passwd`` as
``$pbkdf2-sha512$<rounds>$<salt>$<checksum>`` (passlib's format, adapted base64).
"""

import base64
import hashlib
import hmac
import os

ROUNDS = 600_000  # Odoo 18 sets pbkdf2_sha512__rounds=600_000


def _ab64_encode(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=").replace("+", ".")


def _ab64_decode(text: str) -> bytes:
    text = text.replace(".", "+")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, rounds: int = ROUNDS) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, rounds)
    return f"$pbkdf2-sha512${rounds}${_ab64_encode(salt)}${_ab64_encode(digest)}"


def is_hashed(value: str) -> bool:
    return isinstance(value, str) and value.startswith("$pbkdf2-sha512$")


def verify_password(password: str, stored: str) -> bool:
    if not stored or not isinstance(password, str):
        return False
    if not is_hashed(stored):
        return hmac.compare_digest(password.encode(), stored.encode())
    try:
        _, _, rounds, salt, checksum = stored.split("$")
        digest = hashlib.pbkdf2_hmac("sha512", password.encode(), _ab64_decode(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(digest, _ab64_decode(checksum))
