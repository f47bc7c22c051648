"""The words of a follow-up attempt: its channels and outcomes (no imports: the CLI uses them)."""

CHANNELS = ("call", "email", "meeting", "linkedin", "other")
OUTCOMES = (
    "connected",
    "voicemail",
    "no_answer",
    "wrong_number",
    "meeting_booked",
    "not_interested_now",
    "not_a_fit",
)
