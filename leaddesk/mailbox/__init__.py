"""The mailbox: replies, bounces, auto-replies and unsubscribes read (read-only) from IMAP.

One pass (:func:`sync_mailbox`, also ``leaddesk sync-mailbox`` and the GUI's 5-minute poll):

1. ``client``    — log in; every folder is opened with EXAMINE, messages fetched with BODY.PEEK;
                   the imaplib client refuses STORE/COPY/MOVE/EXPUNGE/APPEND/SELECT outright.
2. ``sync``      — per watched folder, only UIDs above the last one seen (UIDVALIDITY checked);
                   headers first, whole messages only for those that may concern a lead;
                   each message recorded once in ``inbound_messages`` (by Message-ID).
3. ``classify``  — bounce (``bounces``: RFC 3464 and provider formats) → auto-reply
                   (``autoreply``, with the return date) → unsubscribe → reply → unrelated.
4. ``actions``   — through the event door: replied / bounced / unsubscribed / auto_reply
                   activities, suppression, sequence exits, cancelled or postponed messages.
5. ``reconcile`` — outbox rows in state ``unknown`` are looked up in the Sent folder.
"""

from leaddesk.mailbox.sync import AccountSyncResult, SyncReport, sync_mailbox

__all__ = ["AccountSyncResult", "SyncReport", "sync_mailbox"]
