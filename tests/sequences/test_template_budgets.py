"""Templates cannot burn CPU or memory: refused fast, with the step named, never run long."""

from __future__ import annotations

import time
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import select

from leaddesk.clock import FixedClock
from leaddesk.db.models import OutboundMessage, OutboxState
from leaddesk.sequences.enrollment import enroll_leads
from leaddesk.sequences.lint import ERROR, lint_document
from leaddesk.sequences.scheduler import run_due
from leaddesk.sequences.templates import TemplateProblem, render_email
from tests.sequences.sequence_helpers import add_lead, email, make_sequence, simple_document

CONTEXT = {"first_name": "Ada", "postal_address": "1 Road", "unsubscribe_text": "Reply STOP"}
SLOW = (  # several seconds of work per render without its budget
    "{% for c in 'x' * 9999 %}{% if (('x' * 9999)|upper|lower|upper|lower|upper|lower|upper"
    "|lower|upper|lower) == '' %}{% endif %}{% endfor %}Hi"
)
HOSTILE = [
    "{% for a in 'x' * 9999 %}{% for b in 'x' * 9999 %}{% endfor %}{% endfor %}",
    "{% for a in 'x' * 999 %}{% if a %}{% for b in 'x' * 999 %}{% for c in 'x' * 999 %}"
    "{% endfor %}{% endfor %}{% endif %}{% endfor %}",
    "{% for a in 'x' * 9999 %}{{ 'y' * 9999 }}{% endfor %}",
    "{% set a = 'x' * 9999 %}{% set a = a ~ a %}{% set a = a ~ a %}{{ a }}",
    "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{{ ('x' * 9999)|replace('x', 'x' * 9999) }}",
    "{{ ('x' * 9999)|list|join('y' * 9999) }}",
    "{{ 'x'.ljust(999999999) }}",
    "{{ '%0999999999d' % 1 }}",
    "{{ 'x'|center(999999999) }}",
    SLOW,
]


@pytest.mark.parametrize("body", HOSTILE)
def test_a_hostile_template_is_refused_within_a_second_and_a_few_megabytes(body: str) -> None:
    """Loop, output, doubling, macro, replace, join and padding bombs are each refused in
    under a second with under 50 MB, with a message that says what is not allowed."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(TemplateProblem) as caught:
            render_email("Hello", body, CONTEXT)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0 and peak < 50e6, (elapsed, peak)
    assert "not allowed" in str(caught.value) and "body" in str(caught.value)


def test_ordinary_templates_still_render() -> None:
    """Merge fields, fallbacks, filters, {% if %} and a simple loop keep working."""
    body = (
        "Hi {{ first_name|default('there')|title }},{% if first_name %} welcome{% endif %}."
        "{% for word in ['a', 'b'] %} {{ word|upper }}{% endfor %}"
    )
    rendered = render_email("Hello {{ first_name }}", body, CONTEXT)
    assert rendered.subject == "Hello Ada"
    assert rendered.text.startswith("Hi Ada, welcome. A B")


def test_lint_refuses_an_over_budget_step_and_names_it(ready) -> None:
    """A sequence file whose step 2 nests loops is refused on step 2 before it can run."""
    with ready.write() as session:
        add_lead(session, "ada@example.com")
        document = simple_document([email("Hi", "Hello"), email("Again", HOSTILE[0])])
        findings = lint_document(session, document)
    assert any(
        f.severity == ERROR and f.step == 2 and "loop inside a loop" in f.message for f in findings
    )


# About 0.02-0.2 s per render: under the per-render budget, over the per-step one for 40 leads.
MEDIUM = (
    "{% for c in 'x' * 2000 %}{% if (('x' * 9999)|upper|lower|upper|lower) == '' %}"
    "{% endif %}{% endfor %}Hi"
)


@pytest.mark.parametrize("body", [SLOW, MEDIUM], ids=["slow render", "many medium renders"])
def test_run_due_stays_inside_its_budget_whatever_the_template_costs(
    ready, clock: FixedClock, body: str
) -> None:
    """40 leads on a step that is slow to render: the pass stays under 2.5 s (each render is
    bounded, and so is the step's total), and the refused leads say why."""
    with ready.write() as session:
        sequence = make_sequence(session, [email("Hi", body)])
        ids = [add_lead(session, f"lead{n}@example.com").id for n in range(40)]
        enroll_leads(session, sequence, ids, now=clock.now())
    clock.advance(timedelta(minutes=1))
    started = time.perf_counter()
    result = run_due(ready, clock.now())
    assert time.perf_counter() - started < 2.5
    assert result.failed >= 1 and result.failed + result.messages == 40
    with ready.session() as session:
        errors = set(
            session.scalars(
                select(OutboundMessage.last_error).where(
                    OutboundMessage.state == OutboxState.FAILED
                )
            )
        )
    assert errors and all("too long to render" in error for error in errors)
