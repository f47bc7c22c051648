"""`python -m leaddesk` behaves like the `leaddesk` command."""

from leaddesk.cli import main

raise SystemExit(main())
