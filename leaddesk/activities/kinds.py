"""The kinds of activity in the event log, with the labels the timeline shows."""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    """Every kind of event the activity log knows."""

    IMPORTED = "imported"
    CREATED = "created"
    PROFILE_UPDATED = "profile_updated"
    STATUS_CHANGED = "status_changed"
    OWNER_CHANGED = "owner_changed"
    BECAME_WARM = "became_warm"
    BECAME_SALES_READY = "became_sales_ready"
    BECAME_COLD = "became_cold"
    NOTE = "note"
    CALL = "call"
    MEETING = "meeting"
    WHITEPAPER_DOWNLOAD = "whitepaper_download"
    CASE_STUDY_DOWNLOAD = "case_study_download"
    WEBINAR_REGISTERED = "webinar_registered"
    WEBINAR_ATTENDED = "webinar_attended"
    CONSULTATION_REQUESTED = "consultation_requested"
    WEBSITE_VISIT = "website_visit"
    ENROLLED = "enrolled"
    SEQUENCE_EXITED = "sequence_exited"
    SEQUENCE_COMPLETED = "sequence_completed"
    EMAIL_SENT = "email_sent"
    EMAIL_FAILED = "email_failed"
    REPLIED = "replied"
    AUTO_REPLY = "auto_reply"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"
    HANDED_OFF = "handed_off"
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    MERGED = "merged"


# Events LeadDesk derives from others (score band changes): they are on the timeline but are not
# something the lead did, so they do not move the lead's "last activity".
DERIVED_KINDS = frozenset(
    {ActivityKind.BECAME_WARM, ActivityKind.BECAME_SALES_READY, ActivityKind.BECAME_COLD}
)

LABELS: dict[str, str] = {
    ActivityKind.IMPORTED: "Imported",
    ActivityKind.CREATED: "Added by hand",
    ActivityKind.PROFILE_UPDATED: "Profile updated",
    ActivityKind.STATUS_CHANGED: "Status changed",
    ActivityKind.OWNER_CHANGED: "Owner changed",
    ActivityKind.BECAME_WARM: "Became warm",
    ActivityKind.BECAME_SALES_READY: "Became sales-ready",
    ActivityKind.BECAME_COLD: "Cooled down",
    ActivityKind.NOTE: "Note",
    ActivityKind.CALL: "Call",
    ActivityKind.MEETING: "Meeting",
    ActivityKind.WHITEPAPER_DOWNLOAD: "Downloaded a whitepaper",
    ActivityKind.CASE_STUDY_DOWNLOAD: "Downloaded a case study",
    ActivityKind.WEBINAR_REGISTERED: "Registered for a webinar",
    ActivityKind.WEBINAR_ATTENDED: "Attended a webinar",
    ActivityKind.CONSULTATION_REQUESTED: "Requested a consultation",
    ActivityKind.WEBSITE_VISIT: "Visited the website",
    ActivityKind.ENROLLED: "Enrolled in a sequence",
    ActivityKind.SEQUENCE_EXITED: "Left a sequence",
    ActivityKind.SEQUENCE_COMPLETED: "Finished a sequence",
    ActivityKind.EMAIL_SENT: "Email sent",
    ActivityKind.EMAIL_FAILED: "Email failed",
    ActivityKind.REPLIED: "Replied",
    ActivityKind.AUTO_REPLY: "Auto-reply",
    ActivityKind.BOUNCED: "Bounced",
    ActivityKind.UNSUBSCRIBED: "Unsubscribed",
    ActivityKind.HANDED_OFF: "Handed to sales",
    ActivityKind.TASK_CREATED: "Task created",
    ActivityKind.TASK_COMPLETED: "Task done",
    ActivityKind.MERGED: "Merged with another lead",
}


def label(kind: str) -> str:
    """The human label for an activity kind (the kind itself, prettified, when unknown)."""
    return LABELS.get(kind, kind.replace("_", " ").capitalize())
