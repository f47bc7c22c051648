"""Drip sequences: presets, versions, enrollment and scheduling."""
