"""The Jinja sandbox a .docx template runs in: no attributes, no files, bounded work.

Jinja's own :class:`~jinja2.sandbox.SandboxedEnvironment` stops a template from reaching
Python internals, but not from asking for a lot of work: ``{{ 'x'*2000000000 }}`` builds a
2 GB string (at compile time, by constant folding, so even ``template check`` hangs), and
three nested ``range(100000)`` loops run for hours.  A template is a file a clerk may have
been sent; rendering it must end, quickly, with a Chinese message.  So:

* sizes: ``*``, ``**``, ``+`` and ``%`` are intercepted (which also stops constant folding)
  and refused when their result would exceed :data:`MAX_VALUE_CHARS` items or digits;
  every call and filter is refused an integer argument above :data:`MAX_INT_ARGUMENT`
  (``'x'|center(10**9)``, ``'x'.ljust(…)``) and a format string with a width of seven digits;
  ``range`` is capped at :data:`MAX_RANGE`;
* output: rendering streams and stops past :data:`MAX_OUTPUT_CHARS`;
* time: rendering stops after :data:`MAX_RENDER_SECONDS` — a trace function watches only
  the frames of compiled template code, so the rest of nianbao runs at full speed.

Each refusal raises :class:`TemplateLimitError`, a :class:`jinja2.exceptions.SecurityError`,
which the renderer reports as a template problem (exit 2).
"""

from __future__ import annotations

import functools
import re
import sys
import time
from types import FrameType
from typing import Any, Callable, Iterator

import jinja2
from jinja2.sandbox import SandboxedEnvironment

#: Characters (or list items) one value built by an operator may have.  The whole report's
#: text is well under a megabyte.
MAX_VALUE_CHARS = 1_000_000
#: Largest integer a template may pass to any function or filter (widths, counts, …).
MAX_INT_ARGUMENT = 100_000
#: Largest ``range()`` a template may make.
MAX_RANGE = 10_000
#: Characters one rendered part may have (a real document.xml has a few hundred thousand).
MAX_OUTPUT_CHARS = 64_000_000
#: Seconds one rendered part may take (a real one takes well under a second).
MAX_RENDER_SECONDS = 10.0
#: Lines of template code between two looks at the clock.
_CLOCK_EVERY = 1000

_WIDE_FORMAT = re.compile(r"\d{7,}")


class TemplateLimitError(jinja2.exceptions.SecurityError):
    """The template asked for more work or output than any report needs."""


def _too_large(what: str) -> TemplateLimitError:
    return TemplateLimitError(f"模板要求生成的内容过大（{what}），正常的年报模板不需要这样做")


def _size(value: object) -> int | None:
    if isinstance(value, (str, bytes, list, tuple)):
        return len(value)
    return None


def _check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT_ARGUMENT:
            raise _too_large(f"参数 {value}")


def _check_format_string(value: object) -> None:
    if isinstance(value, str) and _WIDE_FORMAT.search(value):
        raise _too_large("格式宽度")


def bounded_range(*args: int) -> range:
    """``range`` for templates: at most :data:`MAX_RANGE` numbers."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise _too_large(f"range 共 {len(numbers)} 个数")
    return numbers


class BoundedSandbox(SandboxedEnvironment):
    """A sandbox that also bounds the size of what a template builds (see the module doc)."""

    # Intercepted operators are never folded at compile time (jinja2.nodes.BinExpr.as_const).
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = bounded_range
        self.filters = {name: _bounded_filter(name, function)
                        for name, function in self.filters.items()}

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                size = _size(sequence)
                if size is not None and isinstance(count, int) and size * count > MAX_VALUE_CHARS:
                    raise _too_large(f"{size} × {count}")
        elif operator == "**":
            if isinstance(right, (int, float)) and isinstance(left, (int, float)) \
                    and abs(left) > 1 and abs(right) > 64:
                raise _too_large(f"{left} ** {right}")
        elif operator == "+":
            left_size, right_size = _size(left), _size(right)
            if left_size is not None and right_size is not None \
                    and left_size + right_size > MAX_VALUE_CHARS:
                raise _too_large(f"{left_size} + {right_size}")
        elif operator == "%":
            _check_format_string(left)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,  # noqa: N805 - jinja's signature
             *args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        if getattr(__obj, "__name__", "") in ("format", "format_map"):
            # str.format reaches here bound, or wrapped by jinja (wrap_str_format)
            bound = getattr(__obj, "__wrapped__", __obj)
            _check_format_string(getattr(bound, "__self__", None))
        return super().call(__context, __obj, *args, **kwargs)


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` refusing huge integer arguments; keeps jinja's pass_context marks."""

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        if name == "format" and args:
            _check_format_string(args[-1] if not isinstance(args[0], str) else args[0])
        return function(*args, **kwargs)

    return bounded


def render_bounded(template: jinja2.Template, context: dict[str, Any], *,
                   seconds: float | None = None, max_chars: int | None = None) -> str:
    """``template.render(context)`` within a time limit and an output size limit
    (:data:`MAX_RENDER_SECONDS`, :data:`MAX_OUTPUT_CHARS` unless given)."""
    seconds = MAX_RENDER_SECONDS if seconds is None else seconds
    max_chars = MAX_OUTPUT_CHARS if max_chars is None else max_chars
    deadline = time.monotonic() + seconds
    template_files = {template.filename or "<template>", "<template>"}
    counter = [0]

    def local(frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        if event == "line":
            counter[0] += 1
            if counter[0] % _CLOCK_EVERY == 0 and time.monotonic() > deadline:
                raise TemplateLimitError(f"按模板生成超过 {seconds:g} 秒仍未完成，模板中可能有过多的循环")
        return local

    def tracer(frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        # Only compiled template code is traced line by line; everything it calls runs untraced.
        if frame.f_code.co_filename in template_files:
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        pieces: list[str] = []
        length = 0
        stream: Iterator[str] = template.generate(context)
        for piece in stream:
            length += len(piece)
            if length > max_chars:
                raise TemplateLimitError("按模板生成的内容过长，模板中可能有过多的循环或重复")
            pieces.append(piece)
        return "".join(pieces)
    finally:
        sys.settrace(previous)
