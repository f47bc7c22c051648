"""Bounce shapes as mail systems write them, built from their public descriptions (RFC 3464
DSNs from Postfix, Exim, Sendmail, Exchange, Gmail…, and the non-standard texts of qmail,
Yahoo and others). Each builder returns the raw message text for one failed recipient."""

from __future__ import annotations

OURS = "<ours-9@ourco.test>"


def dsn(
    recipient: str,
    status: str,
    diagnostic: str,
    *,
    action: str = "failed",
    sender: str = "MAILER-DAEMON@mx.acme.test (Mail Delivery System)",
    subject: str = "Undelivered Mail Returned to Sender",
    extra_blocks: str = "",
    human: str = "I'm sorry to have to inform you that your message could not be delivered.",
) -> str:
    """An RFC 3464 report: the human part, the delivery-status part, the returned headers."""
    return f"""\
From: {sender}
To: sales@ourco.test
Subject: {subject}
Message-ID: <dsn-{abs(hash((recipient, status, diagnostic, action)))}@mx.acme.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

{human}

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.test
Arrival-Date: Mon, 2 Mar 2026 10:00:00 +0000

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}
{extra_blocks}
--B1
Content-Type: text/rfc822-headers

From: sales@ourco.test
To: kim@acme.test
Subject: Thanks for stopping by
Message-ID: {OURS}

--B1--
"""


def plain(sender: str, subject: str, body: str, extra_headers: str = "") -> str:
    """A non-standard bounce: a text body that quotes our message."""
    return f"""\
From: {sender}
To: sales@ourco.test
Subject: {subject}
Message-ID: <nb-{abs(hash(body))}@relay.test>
{extra_headers}MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

{body}

--- Below this line is a copy of the message.

From: sales@ourco.test
To: kim@acme.test
Message-ID: {OURS}
Subject: Thanks for stopping by
"""


def ses_notification(
    recipient: str, bounce_type: str, sub_type: str, status: str, diag: str
) -> str:
    """An Amazon SES bounce notification delivered by email (SNS envelope, JSON body)."""
    import json

    inner = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [
                {"emailAddress": recipient, "status": status, "diagnosticCode": diag}
            ],
        },
        "mail": {"headers": [{"name": "Message-ID", "value": OURS}]},
    }
    envelope = {"Type": "Notification", "Message": json.dumps(inner)}
    return f"""\
From: AWS Notifications <no-reply@sns.amazonaws.test>
To: sales@ourco.test
Subject: AWS Notification Message
Message-ID: <ses-{abs(hash((recipient, status)))}@sns.amazonaws.test>
Content-Type: text/plain; charset=utf-8

{json.dumps(envelope)}
"""
