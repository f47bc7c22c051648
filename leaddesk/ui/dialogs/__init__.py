"""Dialogs that use Designer forms by composition."""
