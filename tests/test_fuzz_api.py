"""Every public callable, fed bad input, fails with a KamError: never a bare Python error.

The test walks ``__all__`` of :mod:`kamcore` and of each public module and package,
takes every function, class (its constructor) and public class- or static method, and
lets hypothesis draw arguments for each parameter from a pool of bad values — wrong
types, ``None``, NaN and ±Infinity (float and Decimal), huge and negative numbers,
empty, blank and very long strings, unknown enum values — mixed with good values of
the parameter's annotated type (the shipped presets' policies, :mod:`kamcore.strategies`'
objects, enum members), so that one bad argument beside good ones reaches the checks
deep inside. Arguments go positionally and by keyword; now and then one too many, or an
unknown keyword.

The only exceptions allowed are :class:`~kamcore.errors.KamError` subclasses, and a
``TypeError`` for a call whose arguments do not fit the signature (a wrong *number* of
arguments or an unknown keyword: told apart by binding them with
:func:`inspect.Signature.bind` first). There is no allow-list of escapes.

The count of callables covered is recorded as the property ``fuzz_callables_covered``
and printed at the end of every run by ``pytest_terminal_summary`` in ``conftest.py``.

To list every escape at once without stopping at the first (for triage)::

    HYPOTHESIS_PROFILE=ci python tests/test_fuzz_api.py
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import importlib.util
import inspect
import math
import os
import signal
import sys
import types
import typing
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kamcore.errors import KamError

# -- what is walked, and what is skipped (with the reason) ----------------------------

#: The public modules and packages whose ``__all__`` is walked.
MODULES: tuple[str, ...] = (
    "kamcore",
    "kamcore.money",
    "kamcore.calendar",
    "kamcore.errors",
    "kamcore.codec",
    "kamcore.tables",
    "kamcore.grading",
    "kamcore.bulk",
    "kamcore.pipeline",
    "kamcore.rebate",
    "kamcore.archive",
    "kamcore.store",
    "kamcore.presets",
    "kamcore.charts",
    "kamcore.report",
    "kamcore.sample",
)

#: Whole modules not walked, and why.
SKIPPED_MODULES: dict[str, str] = {
    "kamcore.strategies": (
        "hypothesis strategies: a bad argument is reported by hypothesis' own "
        "InvalidArgument, lazily, when the strategy is drawn from - their documented contract"
    ),
    "kamcore.testing": (
        "contract-test suites (classes a plug-in author subclasses in a test), not an API "
        "that takes user input"
    ),
    "kamcore.cli": "the command line's contract is exit codes and stderr, tested in test_cli.py",
    "kamcore.demo": (
        "run_demo writes a whole demo folder and runs for seconds with good arguments; "
        "its inputs are the CLI's, tested in test_cli.py"
    ),
}

#: Single names not called, and why.
SKIPPED_NAMES: dict[str, str] = {
    "kamcore.store.PostgresRepository": (
        "needs a PostgreSQL server; its checks are the shared RepositoryContract's, "
        "run against a real server in test_store.py"
    ),
    "kamcore.store.trigger_ddl": "PostgreSQL DDL text for a server (a SQLAlchemy dialect)",
    "kamcore.store.archive_metadata": "SQLAlchemy metadata for a PostgreSQL server",
}

#: The least number of callables the walk must cover (a guard against a walk that
#: silently stops finding them, e.g. after a rename of a module).
MIN_COVERED = 300


@dataclass(frozen=True)
class Target:
    """One public callable: where it is published, and how it is called."""

    name: str
    call: Callable[..., Any]
    signature: inspect.Signature
    hints: dict[str, Any]


def _skip_reason(obj: object) -> str | None:
    """Why a public name is not a callable to fuzz (``None``: it is one)."""
    if isinstance(obj, types.ModuleType):
        return "a module"
    if not callable(obj):
        return "not callable (a constant)"
    if isinstance(obj, type):
        if issubclass(obj, BaseException):
            return "an exception class: built by kamcore with its fields, never from user input"
        if issubclass(obj, enum.Enum):
            return "an enum: looked up by value, its refusals are tested as fields refuse them"
        if getattr(obj, "_is_protocol", False):
            return "a Protocol: a structural type, never instantiated"
        if inspect.isabstract(obj):
            return "an abstract base class"
    return None


def _hints(obj: Callable[..., Any]) -> dict[str, Any]:
    """The annotated types of ``obj``'s parameters, by the name a caller passes."""
    try:
        if isinstance(obj, type) and attrs.has(obj):
            hints = typing.get_type_hints(obj)
            return {a.alias: hints.get(a.name, Any) for a in attrs.fields(obj) if a.init}
        target = obj.__init__ if isinstance(obj, type) else obj
        return typing.get_type_hints(target)
    except Exception:
        return {}


def _methods(owner: str, cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    """A public class's public class- and static methods (callable without an instance)."""
    for name, raw in vars(cls).items():
        if name.startswith("_") or not isinstance(raw, classmethod | staticmethod):
            continue
        yield f"{owner}.{name}", getattr(cls, name)


def _walk() -> tuple[list[Target], dict[str, str]]:
    """Every public callable once (by identity), and every public name skipped, with why."""
    targets: list[Target] = []
    skipped: dict[str, str] = {}
    seen: set[int] = set()

    def add(name: str, obj: Callable[..., Any]) -> None:
        if id(obj) in seen and not isinstance(obj, types.MethodType):
            return
        seen.add(id(obj))
        try:
            sig = inspect.signature(obj)
        except (TypeError, ValueError):
            skipped[name] = "no introspectable signature"
            return
        targets.append(Target(name, obj, sig, _hints(obj)))

    modules = list(MODULES)
    if importlib.util.find_spec("matplotlib") is None:
        skipped["kamcore.charts (plot_*)"] = "matplotlib is not installed (the plot extra)"
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            full = f"{module_name}.{name}"
            obj = getattr(module, name)
            if full in SKIPPED_NAMES:
                skipped[full] = SKIPPED_NAMES[full]
                continue
            reason = _skip_reason(obj)
            if reason is not None:
                skipped[full] = reason
                continue
            add(full, obj)
            if isinstance(obj, type):
                for method_name, method in _methods(full, obj):
                    add(method_name, method)
    skipped.update(SKIPPED_MODULES)
    return targets, skipped


TARGETS, SKIPPED = _walk()

# -- the values drawn -----------------------------------------------------------------


class _Unknown:
    """An object of a type no kamcore function takes."""

    def __repr__(self) -> str:
        return "<unknown object>"


BAD_VALUES: tuple[object, ...] = (
    None,
    True,
    False,
    0,
    -1,
    -(10**30),
    10**30,
    2**63,
    1.5,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("-1"),
    Decimal("1E+30"),
    "",
    "   ",
    "x" * 10_000,
    "no_such_value",
    "秘密",
    b"bytes",
    (),
    [],
    {},
    [None],
    {None: 1},
    ["a", "b"],
    {"a": None},
    _Unknown(),
    date(2026, 3, 1),
)


def _base_good() -> dict[Any, list[object]]:
    from kamcore.calendar import Period
    from kamcore.money import Money, Rate

    return {
        str: ["A", "小李", "S01"],
        int: [1, 4],
        bool: [True, False],
        Decimal: [Decimal("0.5"), Decimal("85")],
        Money: [Money("100"), Money("480000")],
        Rate: [Rate("0.05")],
        Period: [Period.month(2026, 3), Period.year(2026)],
        date: [date(2026, 3, 1)],
        datetime: [datetime(2026, 3, 1, 9, 30, tzinfo=UTC)],
        Path: [Path("fuzz-out")],
    }


def _good_objects() -> tuple[dict[Any, list[object]], dict[Any, list[st.SearchStrategy[Any]]]]:
    """Good values by type: presets' policies, plain examples, kamcore's own strategies."""
    from kamcore import strategies as kst
    from kamcore.presets import load_preset, preset_names

    good = _base_good()
    for name in preset_names():
        policy = load_preset(name)
        good.setdefault(type(policy), []).append(policy)
    strategies: dict[Any, list[st.SearchStrategy[Any]]] = {}
    for name in kst.__all__:
        factory = getattr(kst, name)
        try:
            returns = typing.get_type_hints(factory).get("return")
            params = inspect.signature(factory).parameters.values()
        except Exception:
            continue
        if any(p.default is p.empty for p in params):
            continue
        (made,) = typing.get_args(returns) or (None,)
        if isinstance(made, type):
            strategies.setdefault(made, []).append(factory())
    return good, strategies


GOOD, GOOD_STRATEGIES = _good_objects()
BAD = st.sampled_from(BAD_VALUES)


def _good_for(tp: Any) -> st.SearchStrategy[Any] | None:
    """Good values of the annotated type ``tp`` (``None``: none known)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [s for s in (_good_for(a) for a in args) if s is not None]
        return st.one_of(options) if options else None
    if tp is type(None):
        return st.none()
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (tuple, list, Sequence, frozenset) and args:
        item = _good_for(args[0])
        if item is None:
            return None
        return st.lists(item, min_size=1, max_size=3).map(tuple)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    options: list[st.SearchStrategy[Any]] = []
    if tp in GOOD:
        options.append(st.sampled_from(GOOD[tp]))
    options.extend(GOOD_STRATEGIES.get(tp, []))
    return st.one_of(options) if options else None


def _value_for(tp: Any) -> st.SearchStrategy[Any]:
    good = _good_for(tp) if tp is not None else None
    return BAD if good is None else st.one_of(good, BAD)


@st.composite
def _arguments(draw: st.DrawFn, target: Target) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for ``target``, now and then too many."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    positional = True
    for p in target.signature.parameters.values():
        value = _value_for(target.hints.get(p.name))
        if p.kind is p.VAR_POSITIONAL:
            if positional:
                args.extend(draw(st.lists(BAD, max_size=2)))
            continue
        if p.kind is p.VAR_KEYWORD:
            continue
        given_it = p.default is p.empty or draw(st.booleans())
        if not given_it:
            positional = False
            continue
        by_position = p.kind is p.POSITIONAL_ONLY or (
            p.kind is p.POSITIONAL_OR_KEYWORD and positional and draw(st.booleans())
        )
        if by_position and positional:
            args.append(draw(value))
        elif p.kind is not p.POSITIONAL_ONLY:
            positional = False
            kwargs[p.name] = draw(value)
    mistake = draw(st.sampled_from(["none"] * 8 + ["extra", "keyword"]))
    if mistake == "extra":
        args.append(draw(BAD))
    elif mistake == "keyword":
        kwargs["fuzz_unknown_keyword"] = draw(BAD)
    return args, kwargs


# -- calling ----------------------------------------------------------------------------

#: Seconds one call may take before it counts as an escape (a loop over a huge number).
CALL_LIMIT = 3.0


class TooSlow(BaseException):
    """A call ran past :data:`CALL_LIMIT` (a hang on a huge number is an escape too)."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def interrupt(signum: int, frame: object) -> None:
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}...<{len(text)} chars>"


def escape(target: Target, args: Sequence[Any], kwargs: dict[str, Any]) -> str | None:
    """What escaped from calling ``target`` (``None``: nothing, or only a KamError)."""
    try:
        target.signature.bind(*args, **kwargs)
    except TypeError:
        fits = False
    else:
        fits = True
    try:
        with warnings.catch_warnings(), _time_limit(CALL_LIMIT):
            warnings.simplefilter("ignore")  # warnings are not what this test is about
            target.call(*args, **kwargs)
    except KamError:
        return None
    except TooSlow:
        problem = f"ran past {CALL_LIMIT} s"
    except TypeError as exc:
        if not fits:
            return None  # a wrong number of arguments or an unknown keyword: documented
        problem = f"TypeError: {exc}"
    except RecursionError:
        problem = "RecursionError"
    except BaseException as exc:
        problem = f"{type(exc).__name__}: {exc}"
    else:
        if fits:
            return None
        problem = "arguments that do not fit the signature were accepted"
    shown = ", ".join([*map(_short, args), *(f"{k}={_short(v)}" for k, v in kwargs.items())])
    return f"{target.name}({shown}) -> {problem[:300]}"


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # a callable that writes files (a store, a table, a chart) writes them here
    monkeypatch.chdir(tmp_path)
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


_FUZZ = settings(
    # ci (60 examples a test) gives 10 a callable, dev 16, thorough 333: about 20 s in ci
    max_examples=max(10, settings().max_examples // 6),
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
@_FUZZ
@given(data=st.data())
def test_bad_input_to_a_public_callable_raises_only_a_kam_error(
    target: Target, data: st.DataObject
) -> None:
    args, kwargs = data.draw(_arguments(target), label="arguments")
    found = escape(target, args, kwargs)
    assert found is None, found


def test_the_fuzz_covers_every_public_callable(record_property: Any) -> None:
    names = [t.name for t in TARGETS]
    record_property("fuzz_callables_covered", len(names))
    record_property("fuzz_names_skipped", len(SKIPPED))
    assert len(names) == len(set(names))
    assert len(names) >= MIN_COVERED, f"only {len(names)} callables found"
    for expected in (
        "kamcore.codec.from_dict",
        "kamcore.grading.grade",
        "kamcore.archive.lend",
        "kamcore.rebate.TierSchedule",
        "kamcore.Period.month",
    ):
        assert expected in names
    assert all(reason for reason in SKIPPED.values())


def test_an_escape_is_reported_and_an_argument_count_type_error_is_not() -> None:
    def bare(value: object) -> None:
        int(str(value))  # a ValueError for anything but digits

    def refusing(value: object) -> None:
        from kamcore.errors import ValidationError

        raise ValidationError(field="value", value=value, expected="nothing")

    bare_target = Target("bare", bare, inspect.signature(bare), {})
    assert escape(bare_target, ["x"], {}) == (
        "bare('x') -> ValueError: invalid literal for int() with base 10: 'x'"
    )
    assert escape(bare_target, ["1", "2"], {}) is None  # too many: a TypeError is fine
    assert escape(bare_target, [], {"nope": 1}) is None
    assert escape(Target("refusing", refusing, inspect.signature(refusing), {}), [None], {}) is None


# -- triage: every escape at once --------------------------------------------------------


def _first_escapes(target: Target, examples: int) -> list[str]:
    hits: list[str] = []

    @settings(
        max_examples=examples,
        phases=[Phase.generate],
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def probe(data: st.DataObject) -> None:
        args, kwargs = data.draw(_arguments(target))
        problem = escape(target, args, kwargs)
        if problem is not None and not hits:
            hits.append(problem)

    probe()
    return hits


def find_escapes(per_callable: int = 25) -> list[str]:
    """Every escape found (one per callable, the first found), without stopping."""
    found: list[str] = []
    cwd = Path.cwd()
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / "kamcore-fuzz"
    scratch.mkdir(exist_ok=True)
    os.chdir(scratch)
    try:
        for target in TARGETS:
            found.extend(_first_escapes(target, per_callable))
    finally:
        os.chdir(cwd)
    return found


if __name__ == "__main__":
    escapes = find_escapes()
    print("\n".join(escapes))
    print(f"{len(escapes)} of {len(TARGETS)} callables escape")
