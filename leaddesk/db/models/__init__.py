"""Every LeadDesk table, importable from one place."""

from leaddesk.db.models.base import Base, UTCDateTime
from leaddesk.db.models.deals import Deal, DealState, PlanState, RecyclePlan
from leaddesk.db.models.handoff import Handoff, HandoffState, HandoffTrigger, SlaState
from leaddesk.db.models.imports import BatchState, ImportBatch, ImportChange, ImportMapping
from leaddesk.db.models.mail import (
    InboundMessage,
    MailboxFolderState,
    MessagePurpose,
    OutboundMessage,
    OutboxState,
    SenderAccount,
)
from leaddesk.db.models.people import (
    Activity,
    AppSetting,
    EmailState,
    Lead,
    LeadTag,
    LifecycleStatus,
    SavedView,
    ScoreBand,
    Suppression,
    Task,
    TeamMember,
    TeamRole,
)
from leaddesk.db.models.scoring import ScorePart, ScoringModel, ScoringRule
from leaddesk.db.models.sequences import (
    Enrollment,
    EnrollmentState,
    Sequence,
    SequenceStatus,
    SequenceStep,
    SequenceVersion,
    StepKind,
)
from leaddesk.db.models.visits import VisitKind, WebVisit

__all__ = [
    "Activity",
    "AppSetting",
    "Base",
    "BatchState",
    "Deal",
    "DealState",
    "EmailState",
    "Enrollment",
    "EnrollmentState",
    "Handoff",
    "HandoffState",
    "HandoffTrigger",
    "ImportBatch",
    "ImportChange",
    "ImportMapping",
    "InboundMessage",
    "Lead",
    "LeadTag",
    "LifecycleStatus",
    "MailboxFolderState",
    "MessagePurpose",
    "OutboundMessage",
    "OutboxState",
    "PlanState",
    "RecyclePlan",
    "SavedView",
    "ScoreBand",
    "ScorePart",
    "ScoringModel",
    "ScoringRule",
    "SenderAccount",
    "Sequence",
    "SequenceStatus",
    "SequenceStep",
    "SequenceVersion",
    "SlaState",
    "StepKind",
    "Suppression",
    "Task",
    "TeamMember",
    "TeamRole",
    "UTCDateTime",
    "VisitKind",
    "WebVisit",
]
