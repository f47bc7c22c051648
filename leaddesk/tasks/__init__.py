"""Background work for the GUI (QtCore only): one database writer, progress, cancel."""

from leaddesk.tasks.runner import Cancelled, JobHandle, Progress, TaskRunner

__all__ = ["Cancelled", "JobHandle", "Progress", "TaskRunner"]
