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
    DEMO_REQUESTED = "demo_requested"
    WEBSITE_VISIT = "website_visit"
    CLICKED_LINK = "clicked_link"  # a tracked link in one of our emails (from the web log)
    VISITED_PAGE = "visited_page"  # a page of the team's own site (from the web log)
    EMAIL_OPENED = "email_opened"  # approximate: the optional open image, from the web log
    ENROLLED = "enrolled"
    SEQUENCE_EXITED = "sequence_exited"
    SEQUENCE_COMPLETED = "sequence_completed"
    EMAIL_SENT = "email_sent"
    EMAIL_FAILED = "email_failed"
    REPLIED = "replied"
    AUTO_REPLY = "auto_reply"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"
    COMPLAINED = "complained"  # marked our email as spam (an ARF feedback report)
    HANDED_OFF = "handed_off"
    HANDOFF_ACCEPTED = "handoff_accepted"
    FOLLOW_UP_ATTEMPT = "follow_up_attempt"
    SLA_MET = "sla_met"
    SLA_BREACHED = "sla_breached"
    REASSIGNED = "reassigned"
    HANDED_BACK = "handed_back"
    HANDOFF_CLOSED = "handoff_closed"
    DEAL_OPENED = "deal_opened"
    DEAL_WON = "deal_won"
    DEAL_LOST = "deal_lost"
    RECYCLED = "recycled"
    REENGAGEMENT_STARTED = "reengagement_started"
    MARKED_UNRESPONSIVE = "marked_unresponsive"
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    MERGED = "merged"


# Events LeadDesk derives from others or records about its own bookkeeping (score band changes,
# hand-offs between people, deadlines): they are on the timeline but are neither something the
# lead did nor a touch of the lead, so they do not move the lead's "last activity".
DERIVED_KINDS = frozenset(
    {
        ActivityKind.BECAME_WARM,
        ActivityKind.BECAME_SALES_READY,
        ActivityKind.BECAME_COLD,
        ActivityKind.HANDED_OFF,
        ActivityKind.HANDOFF_ACCEPTED,
        ActivityKind.SLA_MET,
        ActivityKind.SLA_BREACHED,
        ActivityKind.REASSIGNED,
        ActivityKind.HANDED_BACK,
        ActivityKind.HANDOFF_CLOSED,
        ActivityKind.RECYCLED,
        ActivityKind.REENGAGEMENT_STARTED,
        ActivityKind.MARKED_UNRESPONSIVE,
        # Approximate: a proxy may have fetched the image, so it is not a touch of the lead.
        ActivityKind.EMAIL_OPENED,
    }
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
    ActivityKind.DEMO_REQUESTED: "Requested a demo",
    ActivityKind.WEBSITE_VISIT: "Visited the website",
    ActivityKind.CLICKED_LINK: "Clicked a link in an email",
    ActivityKind.VISITED_PAGE: "Viewed a page of your site",
    ActivityKind.EMAIL_OPENED: "Opened an email (approximate)",
    ActivityKind.ENROLLED: "Enrolled in a sequence",
    ActivityKind.SEQUENCE_EXITED: "Left a sequence",
    ActivityKind.SEQUENCE_COMPLETED: "Finished a sequence",
    ActivityKind.EMAIL_SENT: "Email sent",
    ActivityKind.EMAIL_FAILED: "Email failed",
    ActivityKind.REPLIED: "Replied",
    ActivityKind.AUTO_REPLY: "Auto-reply",
    ActivityKind.BOUNCED: "Bounced",
    ActivityKind.UNSUBSCRIBED: "Unsubscribed",
    ActivityKind.COMPLAINED: "Marked an email as spam",
    ActivityKind.HANDED_OFF: "Handed to sales",
    ActivityKind.HANDOFF_ACCEPTED: "Accepted by sales",
    ActivityKind.FOLLOW_UP_ATTEMPT: "Follow-up attempt",
    ActivityKind.SLA_MET: "Followed up in time",
    ActivityKind.SLA_BREACHED: "Follow-up deadline missed",
    ActivityKind.REASSIGNED: "Reassigned",
    ActivityKind.HANDED_BACK: "Handed back to marketing",
    ActivityKind.HANDOFF_CLOSED: "Hand-off closed",
    ActivityKind.DEAL_OPENED: "Opportunity opened",
    ActivityKind.DEAL_WON: "Deal won",
    ActivityKind.DEAL_LOST: "Deal lost",
    ActivityKind.RECYCLED: "Back to nurture",
    ActivityKind.REENGAGEMENT_STARTED: "Re-engagement started",
    ActivityKind.MARKED_UNRESPONSIVE: "Marked unresponsive",
    ActivityKind.TASK_CREATED: "Task created",
    ActivityKind.TASK_COMPLETED: "Task done",
    ActivityKind.MERGED: "Merged with another lead",
}


def label(kind: str) -> str:
    """The human label for an activity kind (the kind itself, prettified, when unknown)."""
    return LABELS.get(kind, kind.replace("_", " ").capitalize())
