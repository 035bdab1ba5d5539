"""A matplotlib figure as a self-contained SVG string, ready to inline in HTML."""

from __future__ import annotations

import io
import re
import sys
from typing import TYPE_CHECKING, Final

from kamcore.errors import ValidationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

__all__ = ["SVG_HASHSALT", "to_svg"]

#: The salt of the ids matplotlib writes into an SVG, fixed so that output repeats.
SVG_HASHSALT: Final = "kamcore"
# The RDF/Dublin Core metadata block names purl.org and creativecommons.org URIs.
_METADATA: Final = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)


def to_svg(fig_or_ax: Figure | SubFigure | Axes) -> str:
    """Render a figure (or an Axes' figure) as an inline SVG string, and close it.

    The SVG starts at ``<svg`` (no XML prolog or doctype, so it embeds in HTML); text
    is drawn as paths (``svg.fonttype = "path"``), so the browser needs none of the
    fonts; there are no external references (no metadata block, no links); and the
    output repeats exactly for the same figure (a fixed ``svg.hashsalt``, no date).
    The rc settings hold only while rendering. When pyplot is in use, the figure is
    closed there afterwards.

    Args:
        fig_or_ax: A figure, or an Axes whose figure to render.

    Returns:
        The SVG document as a string.

    Raises:
        ValidationError: matplotlib is not installed, or ``fig_or_ax`` is neither a
            figure nor an Axes.
    """
    try:
        import matplotlib as mpl  # noqa: PLC0415 - optional dependency, imported lazily
        from matplotlib.axes import Axes  # noqa: PLC0415
        from matplotlib.figure import Figure, SubFigure  # noqa: PLC0415
    except ImportError:
        raise ValidationError(
            field="matplotlib",
            value=None,
            expected="pip install 'kamcore[plot]'",
            problem="matplotlib is not installed",
        ) from None
    target: object = fig_or_ax.figure if isinstance(fig_or_ax, Axes) else fig_or_ax
    while isinstance(target, SubFigure):
        target = target.figure
    if not isinstance(target, Figure):
        raise ValidationError(
            field="fig_or_ax",
            value=type(fig_or_ax).__name__,
            expected="a matplotlib Figure or Axes",
            problem="nothing to render",
        )
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": SVG_HASHSALT}):
        target.savefig(buffer, format="svg", metadata={"Date": None})
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(target)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return _METADATA.sub("", svg, count=1)
