"""Identifiers fixed when a message is planned: its Message-ID and its unsubscribe token."""

from __future__ import annotations

import secrets
import uuid


def domain_of(address: str) -> str:
    """The domain part of an email address (``localhost`` when there is none)."""
    _, _, domain = address.strip().rpartition("@")
    return domain.lower() or "localhost"


def make_message_id(sender_address: str) -> str:
    """A globally unique ``<...@sender-domain>`` Message-ID for one planned email."""
    return f"<{uuid.uuid4().hex}.leaddesk@{domain_of(sender_address)}>"


def make_unsubscribe_token() -> str:
    """A random token that identifies one message's unsubscribe request (URL and mail safe)."""
    return secrets.token_hex(12)
