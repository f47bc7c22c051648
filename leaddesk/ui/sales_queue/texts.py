"""What the Sales queue page says, worked out from the loaded queue (no Qt here)."""

from __future__ import annotations

from leaddesk.handoff.queue import SOON
from leaddesk.ui.sales_queue.jobs import QueueData

NO_BRIEF = "<p style='color:#64748b'>Select a lead to read its brief before you call.</p>"
NO_ME = (
    "LeadDesk does not know who you are on this computer, so it shows everyone's queue and "
    "signs your steps as “LeadDesk”. Choose yourself in Settings → Team."
)


def empty_texts(data: QueueData) -> tuple[str, str]:
    """The empty state's title and body: add a sales team first, or how leads get here."""
    if not data.people:
        return "Nobody in sales yet", (
            "Add your sales reps in Settings → Team. Then leads that reach the sales-ready "
            "score, ask for a demo or reply land here, each with a "
            f"{data.sla_hours:g}-hour follow-up deadline and a brief to read before the call."
        )
    return "No leads waiting for sales", (
        "A lead appears here when it reaches the sales-ready score, asks for a demo or "
        "a consultation, or when you hand it off from the Inbox. The rep then has "
        f"{data.sla_hours:g} hours for a first attempt."
    )


def counts_text(data: QueueData) -> str:
    """The line beside the chooser: how many wait for a first attempt, how many are late."""
    counts = data.counts
    if not data.rows:
        return ""
    if not counts.waiting:
        return "All followed up"
    parts = [f"{counts.waiting} waiting"]
    if counts.soon:
        hours = f"{SOON.total_seconds() / 3600:g}"
        parts.append(f"<span style='color:#b45309'>{counts.soon} due within {hours} h</span>")
    if counts.overdue:
        parts.append(f"<b style='color:#b3261e'>{counts.overdue} overdue</b>")
    return " · ".join(parts)


def no_rows_text(data: QueueData) -> str:
    """What the list says when the chosen queue is empty but others are not."""
    mine = data.whose == data.viewer.member_id
    whose = "your queue" if mine else "this queue"
    others = (
        "1 open hand-off is" if data.open_total == 1 else f"{data.open_total} open hand-offs are"
    )
    return f"Nothing in {whose} right now. {others} with others: choose “Everyone” to see them."
