"""Sending: accounts, message composition, the outbox and the SMTP transport."""
