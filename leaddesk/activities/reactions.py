"""What events set in motion: each capability registers its reaction, in one fixed order.

The event door (:mod:`leaddesk.activities.door`) imports none of the capabilities that react to
events, so recording an event can never create an import circle. Instead every capability that
reacts has a ``register_reactions(registry)`` function, and :data:`CAPABILITIES` below is the
one visible list of them, in the order they react:

1. sequences — first, so a sequence exit carries the event's own reason (a reply) rather than
   the band change the same event causes a moment later;
2. scoring — re-scores the lead; a band crossing comes back through the door as its own event;
3. hand-off — hands the lead to sales on a crossing, a hand-raise or a warm reply;
4. visits — tells the owner of a handed-off lead that the lead is back on the team's website
   (after hand-off, so a click that itself hands the lead off is told as the hand-off only).

The list is read when the door first reacts (or when :func:`install` is called at start-up),
so commands that never record an event do not pay for importing the capabilities.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from leaddesk.db.models import Activity, Lead

#: The capabilities that react to events, in the order they react (see the module docstring).
CAPABILITIES: tuple[str, ...] = (
    "leaddesk.sequences.reactions",
    "leaddesk.scoring.reactions",
    "leaddesk.handoff.reactions",
    "leaddesk.visits.reactions",
)

OneEvent = Callable[[Session, "Lead", "Activity", datetime], None]
# (session, activity kind) -> may ``on_activity`` do anything for an event of this kind now?
ReactsTo = Callable[[Session, str], bool]
# (session, lead ids, now, kinds or None for "anything changed", scores already stored)
BulkChange = Callable[
    [Session, list[int], datetime, Collection[str] | None, Mapping[int, Any] | None], None
]


@dataclass(frozen=True)
class Reaction:
    """One capability's reactions: to a single event, and to a bulk change of many leads."""

    name: str
    on_activity: OneEvent | None = None
    on_bulk_change: BulkChange | None = None
    #: False only when ``on_activity`` certainly does nothing for events of that kind (None:
    #: it may react to any kind). Lets the door write such events in bulk, without objects.
    reacts_to: ReactsTo | None = None

    def may_react(self, session: Session, kind: str) -> bool:
        """Whether :attr:`on_activity` may do anything for an event of ``kind``."""
        if self.on_activity is None:
            return False
        return self.reacts_to is None or self.reacts_to(session, kind)


class ReactionRegistry:
    """The reactions in force, in registration order."""

    def __init__(self) -> None:
        self._reactions: list[Reaction] = []

    def register(self, reaction: Reaction) -> None:
        """Add ``reaction`` after the ones registered before it (a name only once)."""
        if any(existing.name == reaction.name for existing in self._reactions):
            raise ValueError(f"a reaction named {reaction.name!r} is already registered")
        self._reactions.append(reaction)

    @property
    def reactions(self) -> tuple[Reaction, ...]:
        """Every registered reaction, in order."""
        return tuple(self._reactions)


# While the door fires one batch of events' reactions, ``session.info[REACTION_MEMO]`` is a dict
# for lookups no reaction changes (the active auto-enrolling sequences, say).
REACTION_MEMO = "leaddesk_reaction_memo"


def reaction_memo(session: Session) -> dict[str, Any] | None:
    """The current batch's memo (see :data:`REACTION_MEMO`); None outside a batch."""
    memo = session.info.get(REACTION_MEMO)
    return memo if isinstance(memo, dict) else None


_registry: ReactionRegistry | None = None
_lock = threading.Lock()


def install(capabilities: tuple[str, ...] = CAPABILITIES) -> ReactionRegistry:
    """Build the registry from ``capabilities`` once (later calls return the same one)."""
    global _registry
    with _lock:
        if _registry is None:
            registry = ReactionRegistry()
            for name in capabilities:
                importlib.import_module(name).register_reactions(registry)
            _registry = registry
        return _registry


def reactions() -> tuple[Reaction, ...]:
    """The reactions in force (installing them on first use)."""
    registry = _registry if _registry is not None else install()
    return registry.reactions
