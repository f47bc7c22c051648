"""Passwords of sender and mailbox accounts: the OS keyring, or this session's memory.

Secrets never touch a file, the database, the settings or a log. When the machine has no keyring
backend (a headless Linux box raises ``NoKeyringError``) the password is kept in this process's
memory for the session only, and the app asks for it again next time.
"""

from __future__ import annotations

import logging
from enum import StrEnum

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

SERVICE = "LeadDesk"

_log = logging.getLogger(__name__)
_session_passwords: dict[str, str] = {}


class Storage(StrEnum):
    """Where a password was stored."""

    KEYRING = "keyring"
    SESSION = "session"


def entry_name(kind: str, account_id: int, username: str) -> str:
    """The keyring user name of one account's password (``smtp:3:alice@example.com``)."""
    return f"{kind}:{account_id}:{username}"


def keyring_available() -> bool:
    """True when an OS keyring backend can store passwords on this machine."""
    try:
        backend = keyring.get_keyring()
    except KeyringError:
        return False
    priority = getattr(backend, "priority", 1)
    try:
        return float(priority) > 0
    except (TypeError, ValueError):
        return True


def get_password(kind: str, account_id: int, username: str) -> str | None:
    """The stored password of an account, or ``None`` when the user must be asked for it."""
    name = entry_name(kind, account_id, username)
    try:
        value = keyring.get_password(SERVICE, name)
    except NoKeyringError:
        value = None
    except KeyringError as error:
        _log.warning("the keyring could not be read (%s)", type(error).__name__)
        value = None
    if value is not None:
        return value
    return _session_passwords.get(name)


def set_password(kind: str, account_id: int, username: str, password: str) -> Storage:
    """Store an account's password in the keyring (or, without one, for this session only)."""
    name = entry_name(kind, account_id, username)
    try:
        keyring.set_password(SERVICE, name, password)
    except NoKeyringError:
        _session_passwords[name] = password
        return Storage.SESSION
    except KeyringError as error:
        _log.warning("the keyring refused the password (%s); kept for this session", type(error))
        _session_passwords[name] = password
        return Storage.SESSION
    _session_passwords.pop(name, None)
    return Storage.KEYRING


def remember_for_session(kind: str, account_id: int, username: str, password: str) -> None:
    """Keep a password the user typed in memory until the process ends (never written)."""
    _session_passwords[entry_name(kind, account_id, username)] = password


def delete_password(kind: str, account_id: int, username: str) -> None:
    """Forget an account's password everywhere LeadDesk kept it."""
    name = entry_name(kind, account_id, username)
    _session_passwords.pop(name, None)
    try:
        keyring.delete_password(SERVICE, name)
    except (PasswordDeleteError, NoKeyringError):
        pass
    except KeyringError as error:
        _log.warning("the keyring could not delete a password (%s)", type(error).__name__)


def forget_session_passwords() -> None:
    """Drop every password kept in memory (tests; "lock" in the app)."""
    _session_passwords.clear()
