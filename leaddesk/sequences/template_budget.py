"""Budgets for rendering one template: time, loop iterations and output size.

Sequences come from other people's JSON files too, so a template must not be able to burn a
sender's CPU or memory. Three layers:

- **Structure**, checked when a template is parsed: no loops inside loops, no recursive loops,
  no macros or call blocks, no ``{% set %}`` (the ways to multiply work or text without
  writing it out), and a bounded source size.
- **Amplifiers**, checked before they run: filters and string methods whose output can be far
  larger than their input (``replace``, ``join``, ``center``, ``ljust``, ``format``, ``%``…)
  are refused when the result would pass :data:`MAX_TEXT`; every filter's and method's result
  is checked too, so no chain of small growths adds up.
- **Time and iterations**, checked as the template runs: every loop step, filter call, method
  call and output piece looks at the render's deadline (:data:`RENDER_SECONDS`) and loop
  steps are counted (:data:`MAX_LOOP_STEPS`).

Anything over budget raises :class:`~jinja2.sandbox.SecurityError`, which the renderer turns
into a "not allowed in an email template" problem naming the part.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.sandbox import SecurityError

MAX_SOURCE = 100_000  # characters of template source
MAX_TEXT = 200_000  # characters any value (and the rendered output) may reach
MAX_LOOP_STEPS = 10_000  # loop iterations per render, all loops together
RENDER_SECONDS = 0.25  # per render; an ordinary email renders in well under a millisecond
LOOP_FILTER = "_leaddesk_loop"
_WIDTHS = re.compile(r"%[-+ #0]*(\d*)(?:\.(\d+))?")
_FORBIDDEN = (
    (nodes.Macro, "macros"),
    (nodes.CallBlock, "call blocks"),
    (nodes.Assign, "{% set %}"),
    (nodes.AssignBlock, "{% set %} blocks"),
    (nodes.Include, "{% include %}"),
    (nodes.Import, "{% import %}"),
    (nodes.FromImport, "{% from … import %}"),
    (nodes.Extends, "{% extends %}"),
)


@dataclass
class _Budget:
    deadline: float
    steps: int = 0


_CURRENT: ContextVar[_Budget | None] = ContextVar("leaddesk_template_budget", default=None)


@contextmanager
def budget(seconds: float = RENDER_SECONDS) -> Iterator[None]:
    """Run one render within ``seconds`` and :data:`MAX_LOOP_STEPS`."""
    token = _CURRENT.set(_Budget(time.monotonic() + seconds))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def check_time() -> None:
    """Raise when the current render is past its deadline."""
    current = _CURRENT.get()
    if current is not None and time.monotonic() > current.deadline:
        raise SecurityError(
            f"the template takes too long to render (over {RENDER_SECONDS:g} s for one lead)"
        )


def check_size(value: Any) -> Any:
    """``value``, unless it is text or a sequence longer than :data:`MAX_TEXT`."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_TEXT:
        raise SecurityError("the template makes a text far too long for an email")
    return value


def bounded_output(pieces: Iterable[str]) -> str:
    """Join a template's output pieces, watching the deadline and the total size."""
    out: list[str] = []
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > MAX_TEXT:
            raise SecurityError("the rendered text is far too long for an email")
        check_time()
        out.append(piece)
    return "".join(out)


def loop_steps(iterable: Iterable[Any]) -> Iterator[Any]:
    """The filter every ``{% for %}`` iterable goes through: counts steps, checks time."""
    current = _CURRENT.get()
    for item in iterable:
        if current is not None:
            current.steps += 1
            if current.steps > MAX_LOOP_STEPS:
                raise SecurityError(f"the template loops more than {MAX_LOOP_STEPS:,} times")
        check_time()
        yield item


def check_structure(tree: nodes.Template, source: str) -> nodes.Template:
    """Refuse the constructs that multiply work; route every loop through :func:`loop_steps`."""
    if len(source) > MAX_SOURCE:
        raise SecurityError(f"the template is longer than {MAX_SOURCE:,} characters")
    for kind, label in _FORBIDDEN:
        found = tree.find(kind)
        if found is not None:
            raise SecurityError(f"{label} are not available in email templates")
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise SecurityError("recursive loops are not available in email templates")
        inner = [n for part in (loop.body, loop.else_) for node in part for n in _loops_in(node)]
        if inner:
            raise SecurityError("a loop inside a loop is not available in email templates")
        loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.lineno)
    return tree


def _loops_in(node: nodes.Node) -> list[nodes.For]:
    own = [node] if isinstance(node, nodes.For) else []
    return [*own, *node.find_all(nodes.For)]


def _text_len(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(str(value))


def _printf_ok(template: Any) -> None:
    if isinstance(template, str):
        for width, precision in _WIDTHS.findall(template):
            if int(width or 0) > 1000 or int(precision or 0) > 1000:
                raise SecurityError("the template pads a value to a huge width")


def _check_width(value: Any) -> None:
    if isinstance(value, int) and value > MAX_TEXT:
        raise SecurityError("the template pads a value to a huge width")
    if isinstance(value, str):
        check_size(value)


def _replace_bound(text: str, old: Any, new: Any) -> int:
    old_text, new_text = str(old), str(new)
    hits = len(text) + 1 if not old_text else text.count(old_text)
    return len(text) + hits * max(0, len(new_text) - len(old_text))


def precheck(name: str, args: tuple[Any, ...]) -> None:
    """Refuse a filter or string method call whose result would pass :data:`MAX_TEXT`."""
    if not args:
        return
    subject, rest = args[0], args[1:]
    if name == "replace" and isinstance(subject, str) and len(rest) >= 2:
        if _replace_bound(subject, rest[0], rest[1]) > MAX_TEXT:
            raise SecurityError("the template replaces text into something far too long")
    elif name == "join" and isinstance(subject, str | list | tuple) and rest:
        glue = _text_len(rest[0])
        if sum(_text_len(v) + glue for v in subject) > MAX_TEXT:
            raise SecurityError("the template joins text into something far too long")
    elif name in ("center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap"):
        for value in rest:
            _check_width(value)
        if name in ("indent", "expandtabs") and isinstance(subject, str) and rest:
            width = rest[0] if isinstance(rest[0], int) else _text_len(rest[0])
            if (subject.count("\n") + subject.count("\t") + 1) * width > MAX_TEXT:
                raise SecurityError("the template indents text into something far too long")
    elif name == "format":
        _printf_ok(subject)


def bounded_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Every filter wrapped with :func:`precheck`, the deadline and :func:`check_size`."""
    wrapped: dict[str, Callable[..., Any]] = {}
    for name, function in filters.items():
        wrapped[name] = _wrap(name, function)
    wrapped[LOOP_FILTER] = loop_steps
    return wrapped


def _wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def bounded(*args: Any, **kwargs: Any) -> Any:
        check_time()
        # Jinja passes the environment/context first to some filters: skip those arguments.
        values = tuple(a for a in args if not _is_jinja_internal(a))
        precheck(name, values)
        return check_size(function(*args, **kwargs))

    for marker in ("jinja_pass_arg",):
        if hasattr(function, marker):
            setattr(bounded, marker, getattr(function, marker))
    bounded.__name__ = getattr(function, "__name__", name)
    return bounded


def _is_jinja_internal(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith("jinja2.") and not isinstance(value, str)
