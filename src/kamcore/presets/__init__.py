"""The source documents' policies, shipped as TOML data files.

Each file under ``kamcore/presets/`` is one policy: a top-level ``kind`` key names the
policy type, a ``[meta]`` table carries its title, zh/en labels and a citation of the
rule it encodes, and the rest is the policy itself. Load one by name:

Examples:
    >>> "rebate_source" in preset_names()
    True
    >>> load_preset("rebate_source").__class__.__name__
    'TierSchedule'
    >>> load_preset("no_such_preset")
    Traceback (most recent call last):
    ...
    kamcore.errors.ValidationError: preset: no such preset (got 'no_such_preset'); expected one of: ...
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, overload

from kamcore import codec
from kamcore.errors import ValidationError

__all__ = ["load_preset", "preset_names", "preset_path", "preset_text"]

T = TypeVar("T")


def preset_names() -> tuple[str, ...]:
    """The names of every shipped preset, sorted (file names without ``.toml``)."""
    root = resources.files(__name__)
    return tuple(
        sorted(p.name[: -len(".toml")] for p in root.iterdir() if p.name.endswith(".toml"))
    )


def _check(name: str) -> str:
    names = preset_names()
    if name not in names:
        raise ValidationError(
            field="preset",
            value=name,
            expected=f"one of: {', '.join(names)}",
            problem="no such preset",
        )
    return name


def preset_text(name: str) -> str:
    """The TOML text of preset ``name``."""
    return resources.files(__name__).joinpath(f"{_check(name)}.toml").read_text(encoding="utf-8")


def preset_path(name: str) -> Path:
    """The path of preset ``name`` on disk (for copying it as a starting point)."""
    return Path(str(resources.files(__name__).joinpath(f"{_check(name)}.toml")))


@overload
def load_preset(name: str, *, checks: Mapping[str, Any] | None = None) -> Any: ...
@overload
def load_preset(name: str, cl: type[T], *, checks: Mapping[str, Any] | None = None) -> T: ...
def load_preset(
    name: str, cl: type[T] | None = None, *, checks: Mapping[str, Any] | None = None
) -> T | Any:
    """Load preset ``name`` as a validated policy object.

    Args:
        name: A name from :func:`preset_names`.
        cl: The policy class; taken from the file's ``kind`` when omitted.
        checks: For a pipeline playbook only: the functions of its ``custom`` gates,
            by name (see :func:`kamcore.codec.from_dict`). The shipped playbooks have
            none; a company's copy of one may.

    Raises:
        ValidationError: No preset has that name, or ``checks`` for a policy that
            takes none.
        RecordInvalid: The preset does not fit ``cl`` (a bug: presets are tested).
    """
    return codec.loads_policy(preset_text(name), cl, source=f"{name}.toml", checks=checks)
