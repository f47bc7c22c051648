"""What a new user must set up before LeadDesk can send: the checklist shared by CLI and GUI."""
