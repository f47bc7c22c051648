"""Mailbox screens: the IMAP settings section and the status-bar mailbox state."""
