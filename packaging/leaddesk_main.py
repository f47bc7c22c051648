"""Entry point of the desktop build (PyInstaller runs this file; it is the `leaddesk` command)."""

from leaddesk.cli import main

raise SystemExit(main())
