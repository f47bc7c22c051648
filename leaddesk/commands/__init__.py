"""Subcommands of the ``leaddesk`` CLI, one module per capability."""
