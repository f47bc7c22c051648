"""Qt item models over plain data from the core."""
