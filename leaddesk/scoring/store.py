"""Reading and writing the scoring model in the ``scoring_rules`` / ``scoring_model`` tables.

The shipped default model is written the first time the model is read (no ``scoring_model``
row yet), so LeadDesk scores out of the box; a user who later removes every rule keeps an empty
model. Compiled models are cached per database and invalidated by the model row's
``updated_at``, which every save touches — so one lead's re-score does not re-read the rules.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import URL, delete, null, select, text
from sqlalchemy.orm import Session

from leaddesk.clock import utcnow
from leaddesk.db.models import ScoringModel, ScoringRule
from leaddesk.scoring.compute import CompiledConfig
from leaddesk.scoring.defaults import default_config
from leaddesk.scoring.rules import Rule, ScoringConfig, validate_config
from leaddesk.settings import set_setting

# Changes with every save of the model (an app setting, so the Settings tab's compare-and-set
# sees a save from the CLI or another copy, and can name who saved).
MODEL_SAVED_KEY = "scoring_model_saved"

_CACHE: dict[tuple[URL, datetime], CompiledConfig] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 16
_SESSION_KEY = "leaddesk.scoring.compiled"
_SEED_LOCK = 0x1EAD_5C0E  # PostgreSQL advisory lock taken while seeding the default model
_STAMP = select(ScoringModel.id, ScoringModel.updated_at).order_by(ScoringModel.id).limit(1)


def _model_row(session: Session) -> ScoringModel | None:
    return session.scalar(select(ScoringModel).order_by(ScoringModel.id).limit(1))


def compiled_config(session: Session, *, seed: bool = True) -> CompiledConfig:
    """The current model, compiled, from the cache when the model has not changed.

    The model row's ``updated_at`` is checked once per session (sessions are short), so a
    change saved by another process is seen by the next operation. With no model stored yet,
    the shipped default is saved first (``seed=False``: only used, nothing is written).
    """
    known = session.info.get(_SESSION_KEY)
    if known is not None:
        return known  # type: ignore[no-any-return]
    stamp = session.execute(_STAMP).first()
    if stamp is None and not seed:
        return CompiledConfig(default_config())
    if stamp is None:
        if session.get_bind().dialect.name == "postgresql":
            # Two copies opening a fresh team database at once seed it once: the second
            # waits here for the first's commit, then finds the model.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEED_LOCK})
            stamp = session.execute(_STAMP).first()
        if stamp is None:
            save_config(session, default_config())
            stamp = session.execute(_STAMP).first()
        assert stamp is not None
    key = (session.get_bind().engine.url, stamp.updated_at)
    with _CACHE_LOCK:
        compiled = _CACHE.get(key)
    if compiled is None:
        model = session.get(ScoringModel, stamp.id)
        assert model is not None
        compiled = CompiledConfig(_read_config(session, model))
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.clear()
            _CACHE[key] = compiled
    session.info[_SESSION_KEY] = compiled
    return compiled


def load_config(session: Session) -> ScoringConfig:
    """The scoring model in force (the shipped default when none was ever saved)."""
    return compiled_config(session).config


def _read_config(session: Session, model: ScoringModel) -> ScoringConfig:
    rows = session.scalars(select(ScoringRule).order_by(ScoringRule.position, ScoringRule.id))
    rules = tuple(
        Rule(
            part=row.part,
            name=row.name,
            points=row.points,
            field=row.field,
            operator=row.operator,
            value=row.value,
            activity_kind=row.activity_kind,
            max_count=row.max_count,
            half_life_days=row.half_life_days,
            enabled=row.enabled,
        )
        for row in rows
    )
    return ScoringConfig(
        rules=rules,
        fit_cap=model.fit_cap,
        engagement_cap=model.engagement_cap,
        warm_threshold=model.warm_threshold,
        sales_ready_threshold=model.sales_ready_threshold,
    )


def save_config(session: Session, config: ScoringConfig) -> None:
    """Replace the stored model with ``config`` (validated first). Does not re-score."""
    validate_config(config)
    session.info.pop(_SESSION_KEY, None)
    session.execute(delete(ScoringRule))
    session.add_all(
        ScoringRule(
            part=rule.part,
            name=rule.name,
            field=rule.field,
            operator=rule.operator,
            value=rule.value,
            activity_kind=rule.activity_kind,
            points=rule.points,
            # null(): a plain None would be replaced by the column default (1).
            max_count=null() if rule.max_count is None else rule.max_count,
            half_life_days=rule.half_life_days,
            position=position,
            enabled=rule.enabled,
        )
        for position, rule in enumerate(config.rules)
    )
    model = _model_row(session)
    if model is None:
        model = ScoringModel()
        session.add(model)
    model.fit_cap = config.fit_cap
    model.engagement_cap = config.engagement_cap
    model.warm_threshold = config.warm_threshold
    model.sales_ready_threshold = config.sales_ready_threshold
    model.updated_at = _next_stamp(model.updated_at)
    set_setting(session, MODEL_SAVED_KEY, model.updated_at.isoformat())
    session.flush()
    session.info.pop(_SESSION_KEY, None)


def _next_stamp(previous: datetime | None) -> datetime:
    """A fresh ``updated_at`` strictly after ``previous`` (it is the cache key)."""
    stamp = utcnow()
    if previous is not None and stamp <= previous:
        stamp = previous + timedelta(microseconds=1)
    return stamp
