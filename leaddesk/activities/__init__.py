"""The one door through which everything that happens to a lead is recorded."""

from leaddesk.activities.door import (
    ActivityEvent,
    append_activities,
    leads_changed,
    record_activities,
    record_activity,
)
from leaddesk.activities.kinds import ActivityKind

__all__ = [
    "ActivityEvent",
    "ActivityKind",
    "append_activities",
    "leads_changed",
    "record_activities",
    "record_activity",
]
