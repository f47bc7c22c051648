"""Read-only summaries of the database for the Reports page and the CLI."""
