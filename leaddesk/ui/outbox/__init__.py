"""Sending screens: the outbox table, the accounts settings tab, the sender's status and tray."""
