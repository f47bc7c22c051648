""" "Test connection": reach the server, secure it, log in — and say exactly what failed."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from leaddesk.mail.transport import OpenError, ServerSettings, SmtpSession

STEPS = ("connect", "tls", "login")
_LABELS = {"connect": "Server reached", "tls": "Connection secured (TLS)", "login": "Logged in"}
_HINTS = {
    "connect": "Check the server name and port, and that this computer is online "
    "(a firewall or VPN may block outgoing mail ports 465/587).",
    "tls": "Check the security setting: port 465 usually needs SSL, port 587 STARTTLS. "
    "A certificate error means the server name does not match its certificate.",
    "login": "Check the user name and password. Gmail and Microsoft 365 need an app password "
    "(or SMTP AUTH enabled) when two-step verification is on.",
}


@dataclass
class ConnectionVerdict:
    """The outcome of a connection test: which steps passed, and what to do about a failure."""

    ok: bool
    steps: list[tuple[str, bool]] = field(default_factory=list)
    problem: str = ""
    hint: str = ""

    def lines(self) -> list[str]:
        """Human-readable lines: ✓/✗ per step, then the problem and the hint."""
        out = [f"{'✓' if passed else '✗'} {_LABELS[step]}" for step, passed in self.steps]
        if not self.ok:
            out += [f"Problem: {self.problem}", f"What to check: {self.hint}"]
        return out

    def as_dict(self) -> dict[str, object]:
        """Plain data for JSON output."""
        return {
            "ok": self.ok,
            "steps": {step: passed for step, passed in self.steps},
            "problem": self.problem,
            "hint": self.hint,
        }


def test_connection(
    settings: ServerSettings,
    password: str,
    *,
    tls_context: ssl.SSLContext | None = None,
    timeout: float = 15.0,
) -> ConnectionVerdict:
    """Open a session as the sender would, close it, and report each step."""
    steps = [s for s in STEPS if s != "tls" or settings.security != "none"]
    if not settings.username:
        steps.remove("login")
    session = SmtpSession(settings, password, tls_context=tls_context, timeout=timeout)
    try:
        session.open()
    except OpenError as error:
        failed = error.step if error.step in steps else steps[-1]
        index = steps.index(failed)
        return ConnectionVerdict(
            ok=False,
            steps=[(s, True) for s in steps[:index]] + [(failed, False)],
            problem=str(error) or failed,
            hint=_HINTS[failed],
        )
    finally:
        session.close()
    return ConnectionVerdict(ok=True, steps=[(s, True) for s in steps])


test_connection.__test__ = False  # type: ignore[attr-defined]
