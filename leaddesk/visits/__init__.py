"""Clicks and site visits read from the user's own web server logs."""
