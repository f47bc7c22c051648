"""The one door through which everything that happens to a lead is recorded."""

from leaddesk.activities.batch_door import append_activity_for_batch_leads
from leaddesk.activities.door import (
    ActivityEvent,
    append_activities,
    append_activity_for_leads,
    leads_changed,
    record_activities,
    record_activities_bulk,
    record_activity,
)
from leaddesk.activities.kinds import ActivityKind

__all__ = [
    "ActivityEvent",
    "ActivityKind",
    "append_activities",
    "append_activity_for_batch_leads",
    "append_activity_for_leads",
    "leads_changed",
    "record_activities",
    "record_activities_bulk",
    "record_activity",
]
