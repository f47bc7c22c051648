"""The PySide6 Widgets user interface (the only package besides tasks/ that imports Qt)."""
