"""Reusable widgets written in code (dynamic views, delegates, indicators)."""
