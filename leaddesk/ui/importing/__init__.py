"""The import wizard and the import history (Qt side of ``leaddesk.importing``)."""
