"""Lead-level rules shared by every capability: address keys, validation, suppression."""
