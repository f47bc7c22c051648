"""Generated Designer forms and resources (see packaging/build_ui.py). Never edit by hand."""
