"""Widgets of the Sequences page: the list model, the step timeline, the editor."""
