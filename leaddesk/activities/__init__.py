"""The one door through which everything that happens to a lead is recorded."""

from leaddesk.activities.door import (
    ActivityEvent,
    leads_changed,
    record_activities,
    record_activity,
)
from leaddesk.activities.kinds import ActivityKind

__all__ = [
    "ActivityEvent",
    "ActivityKind",
    "leads_changed",
    "record_activities",
    "record_activity",
]
