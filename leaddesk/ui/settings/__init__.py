"""Settings tabs contributed by each capability."""
