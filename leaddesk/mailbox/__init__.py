"""The mailbox: replies, bounces, auto-replies and unsubscribes read (read-only) from IMAP."""

from leaddesk.mailbox.sync import AccountSyncResult, SyncReport, sync_mailbox

__all__ = ["AccountSyncResult", "SyncReport", "sync_mailbox"]
