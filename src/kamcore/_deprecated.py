"""Old public names kept working for a while, with a warning that names the new one."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping

__all__ = ["renamed"]


def renamed(module: str, names: Mapping[str, str], since: str) -> Callable[[str], object]:
    """A module ``__getattr__`` that serves each old name in ``names`` with a warning.

    Args:
        module: The module's ``__name__``; the new names are looked up there.
        names: Old name → new name.
        since: The version that renamed them, for the message.

    Examples:
        >>> import warnings
        >>> get = renamed("kamcore.money", {"sum_money": "total"}, "0.2")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     fn = get("sum_money")
        >>> fn.__name__, str(caught[0].message)
        ('total', 'kamcore.money.sum_money was renamed total in kamcore 0.2; the old name will be removed')
    """  # noqa: E501

    def get(name: str) -> object:
        new = names.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} was renamed {new} in kamcore {since}; the old name will be removed",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(module), new)

    return get
