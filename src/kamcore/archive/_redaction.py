"""The export view (脱敏): a dossier or a revision with contacts' personal information hidden.

:func:`redact` gives the view of a dossier for any export; :func:`redact_revision`
gives the same view of a revision that changed contacts. Personal information (a
contact's phone, masked as ``138****8001``; birth date, address, spouse, personality and
interests, blanked) is hidden by default; ``show_personal=True`` keeps it, for a reader
entitled to it.
"""

from __future__ import annotations

import attrs

from kamcore import _plain as canon
from kamcore.archive._checks import flag, instance
from kamcore.archive._contacts import SHOW_PERSONAL, Contact, redact_contact
from kamcore.archive._dossier import Dossier
from kamcore.archive._revisions import Change, Revision

__all__ = ["redact", "redact_revision"]


def redact(dossier: Dossier, *, show_personal: bool = False) -> Dossier:
    """The export view of a dossier: every contact's personal information hidden.

    Args:
        dossier: The dossier.
        show_personal: ``True`` to keep personal information (phones, birth dates,
            addresses, spouses...); hidden by default.

    Raises:
        ValidationError: ``dossier`` is not a :class:`Dossier`, or ``show_personal`` is
            not a bool.

    Examples:
        >>> from kamcore.archive import Contact
        >>> wang = Contact(id="c", name="王", phone="13800138001", spouse="李")
        >>> d = Dossier(id="K", name="某", contacts=(wang,))
        >>> redact(d).contacts[0].spouse, redact(d).contacts[0].phone
        ('', '138****8001')
        >>> redact(d, show_personal=True).contacts[0].phone
        '13800138001'
    """
    instance(dossier, Dossier, "dossier")
    flag(show_personal, "show_personal", expected=SHOW_PERSONAL)
    return attrs.evolve(
        dossier,
        contacts=tuple(redact_contact(c, show_personal=show_personal) for c in dossier.contacts),
    )


def _redacted_contacts(text: str, show_personal: bool) -> str:
    contacts: tuple[Contact, ...] = canon.from_plain(tuple[Contact, ...], canon.loads(text))
    return canon.dumps(tuple(redact_contact(c, show_personal=show_personal) for c in contacts))


def redact_revision(revision: Revision, *, show_personal: bool = False) -> Revision:
    """The export view of a revision: contacts' personal information hidden.

    A change of ``contacts`` carries every contact's data in its old and new values;
    they are redacted as :func:`redact` redacts a dossier. Other changes are kept.
    The view keeps the recorded ``hash`` so that it still names the revision, but it
    no longer matches it: show it, never store or verify it.

    Args:
        revision: The revision.
        show_personal: ``True`` to keep personal information; hidden by default.

    Raises:
        ValidationError: ``revision`` is not a :class:`Revision`, ``show_personal`` is
            not a bool, or a change's old or new text is not JSON of contacts.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from kamcore.archive import create
        >>> d = Dossier(id="K", name="某", contacts=(Contact(id="c", name="王", spouse="李"),))
        >>> _, first = create(d, by="li", at=datetime(2026, 1, 5, tzinfo=timezone.utc))
        >>> redact_revision(first).changes[-1].new_value()[0].spouse
        ''
    """
    instance(revision, Revision, "revision")
    flag(show_personal, "show_personal", expected=SHOW_PERSONAL)
    changes = tuple(
        Change(
            c.field,
            _redacted_contacts(c.old, show_personal),
            _redacted_contacts(c.new, show_personal),
        )
        if c.field == "contacts"
        else c
        for c in revision.changes
    )
    return attrs.evolve(revision, changes=changes)
