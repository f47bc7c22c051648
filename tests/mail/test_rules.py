"""Reply classification, retry delays, account presets and the no-smtplib house rule."""

from __future__ import annotations

import ast
import itertools
import random
from datetime import timedelta
from pathlib import Path

import pytest

from leaddesk.mail.accounts import (
    PRESETS,
    AccountError,
    add_account,
    apply_preset,
    domain_volume_warnings,
    validate_account,
)
from leaddesk.mail.policy import Verdict, decide, retry_delay
from leaddesk.mail.transport import Phase, Reply

PACKAGE = Path(__file__).resolve().parents[2] / "leaddesk"


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        (Reply(250, "2.0.0 OK queued", Phase.PAYLOAD), Verdict.SENT),
        (Reply(451, "4.3.0 Try again later", Phase.PAYLOAD), Verdict.RETRY),
        (Reply(450, "4.2.1 Mailbox busy", Phase.RCPT), Verdict.RETRY),
        (Reply(550, "5.1.1 User unknown", Phase.RCPT), Verdict.BOUNCE),
        (Reply(550, "5.1.1 The email account does not exist", Phase.PAYLOAD), Verdict.BOUNCE),
        (Reply(552, "5.3.4 Message too big", Phase.PAYLOAD), Verdict.FAIL),
        (Reply(535, "5.7.8 Username and Password not accepted", Phase.MAIL), Verdict.PAUSE_ACCOUNT),
        (Reply(550, "5.4.5 Daily user sending quota exceeded", Phase.PAYLOAD),
         Verdict.PAUSE_ACCOUNT),
        (
            Reply(554, "5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException",
                  Phase.PAYLOAD),
            Verdict.PAUSE_ACCOUNT,
        ),
        (Reply(432, "4.3.2 STOREDRV.ClientSubmit; sender thread limit", Phase.MAIL),
         Verdict.PAUSE_ACCOUNT),
        (Reply(421, "4.7.0 Try again later, closing connection", Phase.MAIL),
         Verdict.PAUSE_ACCOUNT),
        (Reply(0, "Connection unexpectedly closed", Phase.RCPT, dropped=True), Verdict.RETRY),
        (Reply(0, "Connection unexpectedly closed", Phase.PAYLOAD, dropped=True), Verdict.UNKNOWN),
    ],
)  # fmt: skip
def test_replies_are_classified(reply, verdict):
    """Each server reply leads to the documented outcome (retry, bounce, pause, unknown)."""
    assert decide(reply).verdict is verdict


def test_retry_delays_grow_and_are_capped():
    """Retries wait 5 minutes, then about twice as long each time, never more than ~6 hours."""
    rng = random.Random(1)
    delays = [retry_delay(n, rng) for n in range(1, 10)]
    assert timedelta(minutes=4) < delays[0] < timedelta(minutes=6)
    assert all(b > a for a, b in itertools.pairwise(delays[:7]))
    assert max(delays) <= timedelta(hours=6.6)


def test_provider_presets_carry_published_limits():
    """Gmail ~500/day, Google Workspace 2,000/day, Microsoft 365 30/min and 10,000/day."""
    assert PRESETS["gmail"].per_day == 500
    assert PRESETS["workspace"].per_day == 2000
    assert (PRESETS["microsoft365"].per_minute, PRESETS["microsoft365"].per_day) == (30, 10000)
    filled = apply_preset({"per_day": 100}, "gmail")
    assert filled["smtp_host"] == "smtp.gmail.com" and filled["per_day"] == 100


def test_validation_refuses_unsafe_or_broken_settings():
    """Plain SMTP off localhost, bad addresses and line breaks in names are refused."""
    base = apply_preset(
        {"name": "A", "from_address": "a@example.com", "smtp_host": "mail.example.com"}, "custom"
    )
    validate_account(base)
    for change in (
        {"smtp_security": "none"},
        {"from_address": "not-an-address"},
        {"display_name": "Ada\r\nBcc: x@y.example"},
        {"per_minute": 0},
        {"unsubscribe_url": "http://insecure.example/u"},
    ):
        with pytest.raises(AccountError):
            validate_account({**base, **change})
    validate_account({**base, "smtp_host": "localhost", "smtp_security": "none"})


def test_domain_near_bulk_sender_threshold_is_warned(db, clock):
    """Accounts of one domain whose daily caps approach 5,000 get a bulk-sender warning."""
    with db.write() as session:
        add_account(session, {"name": "A", "from_address": "a@big.example",
                              "provider": "workspace"})  # fmt: skip
        assert domain_volume_warnings(session, clock.now()) == []
        add_account(session, {"name": "B", "from_address": "b@big.example",
                              "provider": "workspace"})  # fmt: skip
        warnings = domain_volume_warnings(session, clock.now())
    assert len(warnings) == 1 and "big.example" in warnings[0] and "5,000" in warnings[0]


def test_no_project_module_opens_its_own_smtplib_session():
    """Only yagmail opens SMTP sessions: no module under leaddesk/ constructs smtplib.SMTP*."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("SMTP", "SMTP_SSL", "LMTP"):
                    base = func.value if isinstance(func, ast.Attribute) else None
                    if not (isinstance(base, ast.Name) and base.id == "yagmail"):
                        offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "smtplib":
                names = {alias.name for alias in node.names}
                if names & {"SMTP", "SMTP_SSL", "LMTP"}:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_yagmail_send_is_never_called():
    """yagmail's send() (duplicates, one connection per message) is not used anywhere."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".send(to=" not in text and "yag.send(" not in text, path
        assert "send_unsent" not in text, path
