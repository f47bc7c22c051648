"""Real servers for integration tests, started on loopback."""
