"""The checks the pipeline runs on what a caller hands its operations and analytics.

Each names the parameter it checks, so ``None`` where a playbook, an opportunity or a
list of them is expected is a :class:`~kamcore.errors.ValidationError` naming it, never
a bare ``AttributeError`` or ``TypeError`` from deep inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kamcore import _validate
from kamcore.errors import ValidationError

if TYPE_CHECKING:
    from kamcore.pipeline._opportunity import Opportunity
    from kamcore.pipeline._policy import Playbook


def _wrong(value: object, field: str, expected: str) -> ValidationError:
    return ValidationError(
        field=field, value=value, expected=expected, problem=f"a {type(value).__name__}"
    )


def playbook(value: object, field: str = "playbook") -> Playbook:
    """``value`` if it is a :class:`~kamcore.pipeline.Playbook`."""
    from kamcore.pipeline._policy import Playbook  # noqa: PLC0415 - the policy imports this

    if isinstance(value, Playbook):
        return value
    raise _wrong(value, field, "a kamcore.pipeline.Playbook (load one with load_preset)")


def opportunity(value: object, field: str = "opp") -> Opportunity:
    """``value`` if it is an :class:`~kamcore.pipeline.Opportunity`."""
    from kamcore.pipeline._opportunity import Opportunity  # noqa: PLC0415 - import cycle

    if isinstance(value, Opportunity):
        return value
    raise _wrong(value, field, "a kamcore.pipeline.Opportunity (from open_opportunity)")


def opportunities(value: object, field: str = "opportunities") -> tuple[Opportunity, ...]:
    """``value`` as a tuple of opportunities; a wrong item is named ``field[i]``."""
    items = _validate.sequence(value, field, expected="a list of kamcore.pipeline.Opportunity")
    for i, item in enumerate(items):
        opportunity(item, f"{field}[{i}]")
    return items


def subjects(pb: object, opp: object) -> None:
    """Check the playbook and the opportunity an operation was given (the slow path)."""
    playbook(pb)
    opportunity(opp)


def flag(value: object, field: str) -> bool:
    """``value`` if it is a ``bool`` (``'no'`` or ``1`` is not a yes/no answer)."""
    if isinstance(value, bool):
        return value
    raise _wrong(value, field, "True or False")


def flag_field(instance: Any, attribute: Any, value: object) -> None:
    """An attrs validator: the field holds a ``bool``."""
    flag(value, attribute.name)
