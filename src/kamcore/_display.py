"""Small HTML tables for notebook display (``_repr_html_``), standard library only.

Every value is escaped; numbers are right-aligned. Domain objects that a notebook user
inspects (scores, quotes, forecasts, dossiers) render through :func:`html_table`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

__all__ = ["html_table"]


def _cell(value: object) -> tuple[str, bool]:
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, Decimal):
        return f"{value:,f}", True
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, date):
        return value.isoformat(), False
    return str(value), False


def html_table(
    rows: Sequence[Mapping[str, object]], *, title: str = "", notes: Sequence[str] = ()
) -> str:
    """Render rows (mappings with the same keys) as an HTML table with a caption.

    Examples:
        >>> html_table([{"tier": "<1M", "rebate": Decimal("14400.00")}], title="Quote")
        '<table><caption>Quote</caption><thead><tr><th>tier</th><th>rebate</th></tr></thead><tbody><tr><td>&lt;1M</td><td style="text-align:right">14,400.00</td></tr></tbody></table>'
    """  # noqa: E501
    columns = list(rows[0]) if rows else []
    parts = ["<table>"]
    if title:
        parts.append(f"<caption>{html.escape(title)}</caption>")
    parts.append("<thead><tr>")
    parts.extend(f"<th>{html.escape(str(c))}</th>" for c in columns)
    parts.append("</tr></thead><tbody>")
    for row in rows:
        parts.append("<tr>")
        for c in columns:
            text, numeric = _cell(row.get(c))
            style = ' style="text-align:right"' if numeric else ""
            parts.append(f"<td{style}>{html.escape(text)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    if notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        parts.append(f"<ul>{items}</ul>")
    return "".join(parts)
