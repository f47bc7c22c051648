"""The team database this computer uses: server settings in preferences, password in the keyring.

Settings → Team server (or ``leaddesk db test``) checks an address; "Use this server" makes it
the database LeadDesk opens when neither ``--db`` nor ``LEADDESK_DB`` names one. The password
never touches a file: it lives in the OS keyring. TLS is required by default; ``verify-full``
checks the server's certificate against a CA file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from urllib.parse import quote

from leaddesk.paths import config_dir

FILE_NAME = "team_database.json"
KEYRING_KIND = "team-db"
TLS_MODES = ("require", "verify-full", "prefer", "disable")


@dataclass
class TeamServer:
    """Where the team database is and how to reach it (no password)."""

    host: str = ""
    port: int = 5432
    database: str = "leaddesk"
    user: str = ""
    tls: str = "require"
    ca_file: str = ""
    active: bool = False  # LeadDesk opens it by default on this computer

    @property
    def key(self) -> str:
        """The keyring entry's user part: one password per user on one server database."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def problems(self) -> list[str]:
        """What must be filled in or fixed, worded for the user (empty when fine)."""
        found = []
        if not self.host.strip():
            found.append("the server's name or address is missing")
        if not self.user.strip():
            found.append("the database user is missing")
        if not self.database.strip():
            found.append("the database name is missing")
        if not 0 < self.port < 65536:
            found.append("the port must be between 1 and 65535")
        if self.tls not in TLS_MODES:
            found.append(f"TLS must be one of {', '.join(TLS_MODES)}")
        if self.tls == "verify-full" and not self.ca_file.strip():
            found.append("verify-full needs the CA file that signed the server's certificate")
        return found

    def url(self, password: str | None) -> str:
        """The ``postgresql://`` URL (password included when given)."""
        secret = f":{quote(password, safe='')}" if password else ""
        query = f"sslmode={self.tls}"
        if self.tls == "verify-full" and self.ca_file:
            query += f"&sslrootcert={quote(self.ca_file)}"
        return (
            f"postgresql://{quote(self.user, safe='')}{secret}@{self.host}:{self.port}/"
            f"{quote(self.database, safe='')}?{query}"
        )


def load() -> TeamServer:
    """The saved settings (defaults when none)."""
    path = config_dir() / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TeamServer()
    fields = TeamServer.__dataclass_fields__
    return TeamServer(**{k: v for k, v in data.items() if k in fields})


def save(server: TeamServer, password: str | None = None) -> None:
    """Store the settings, and the password in the keyring when one is given."""
    (config_dir() / FILE_NAME).write_text(json.dumps(asdict(server), indent=2), encoding="utf-8")
    if password:
        from leaddesk.mail import secrets

        secrets.set_password(KEYRING_KIND, 0, server.key, password)


def stored_password(server: TeamServer) -> str | None:
    """The keyring's password for ``server`` (None when there is none)."""
    from leaddesk.mail import secrets

    return secrets.get_password(KEYRING_KIND, 0, server.key)


def active_url() -> str | None:
    """The team database's URL when this computer uses one by default, else None."""
    server = load()
    if not server.active or server.problems():
        return None
    return server.url(stored_password(server))
