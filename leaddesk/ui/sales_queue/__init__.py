"""The Sales queue page's pieces: its table model, its background jobs and its dialogs."""
