"""Parts of the Inbox page: filter bar, lead detail panel, dialogs."""
