"""IMAP passwords in the OS keyring (service "LeadDesk").

The sending capability owns the secrets module (``leaddesk.mail.secrets``); while it is not on
main yet this thin adapter calls keyring directly with the agreed signatures
``get_password(kind, account_id, username)`` / ``set_password(kind, account_id, username, pw)``.
Once ``leaddesk.mail.secrets`` exists it is used instead, so both stay in one place.
Without a keyring backend the password is kept in memory for this session only — never in a file.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import keyring
from keyring.errors import KeyringError, NoKeyringError

SERVICE = "LeadDesk"
KIND = "imap"
_session_passwords: dict[str, str] = {}


def _shared_secrets() -> ModuleType | None:
    try:
        return importlib.import_module("leaddesk.mail.secrets")
    except ImportError:
        return None


def _entry(kind: str, account_id: int, username: str) -> str:
    return f"{kind}:{account_id}:{username}"


def get_password(kind: str, account_id: int, username: str) -> str | None:
    """The stored password for ``username`` on account ``account_id`` (None when unknown)."""
    shared = _shared_secrets()
    if shared is not None:
        return shared.get_password(kind, account_id, username)  # type: ignore[no-any-return]
    entry = _entry(kind, account_id, username)
    try:
        found = keyring.get_password(SERVICE, entry)
    except NoKeyringError:
        found = None
    return found if found is not None else _session_passwords.get(entry)


def set_password(kind: str, account_id: int, username: str, password: str) -> bool:
    """Store the password; returns False when it is only kept for this session (no keyring)."""
    shared = _shared_secrets()
    if shared is not None:
        stored = shared.set_password(kind, account_id, username, password)
        return str(stored) != "session"  # issue 7 returns Storage.KEYRING or Storage.SESSION
    entry = _entry(kind, account_id, username)
    try:
        keyring.set_password(SERVICE, entry, password)
    except (NoKeyringError, KeyringError):
        _session_passwords[entry] = password
        return False
    _session_passwords.pop(entry, None)
    return True
