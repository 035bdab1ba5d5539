"""The export view (脱敏): a dossier or a revision with contacts' sensitive personal data removed.

:func:`redact` gives the view of a dossier for any export; :func:`redact_revision`
gives the same view of a revision that changed contacts.
"""

from __future__ import annotations

import attrs

from kamcore import _plain as canon
from kamcore.archive._contacts import Contact, redact_contact
from kamcore.archive._dossier import Dossier
from kamcore.archive._revisions import Change, Revision

__all__ = ["redact", "redact_revision"]


def redact(dossier: Dossier) -> Dossier:
    """The export view of a dossier: every contact's sensitive personal data removed.

    Examples:
        >>> from kamcore.archive import Contact
        >>> d = Dossier(id="K", name="某", contacts=(Contact(id="c", name="王", spouse="李"),))
        >>> redact(d).contacts[0].spouse
        ''
    """
    return attrs.evolve(dossier, contacts=tuple(redact_contact(c) for c in dossier.contacts))


def _redacted_contacts(text: str) -> str:
    contacts: tuple[Contact, ...] = canon.from_plain(tuple[Contact, ...], canon.loads(text))
    return canon.dumps(tuple(redact_contact(c) for c in contacts))


def redact_revision(revision: Revision) -> Revision:
    """The export view of a revision: contacts' sensitive personal data removed.

    A change of ``contacts`` carries every contact's data in its old and new values;
    they are redacted as :func:`redact` redacts a dossier. Other changes are kept.
    The view keeps the recorded ``hash`` so that it still names the revision, but it
    no longer matches it: show it, never store or verify it.

    Raises:
        ValidationError: A change's old or new text is not JSON of contacts.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from kamcore.archive import create
        >>> d = Dossier(id="K", name="某", contacts=(Contact(id="c", name="王", spouse="李"),))
        >>> _, first = create(d, by="li", at=datetime(2026, 1, 5, tzinfo=timezone.utc))
        >>> redact_revision(first).changes[-1].new_value()[0].spouse
        ''
    """
    changes = tuple(
        Change(c.field, _redacted_contacts(c.old), _redacted_contacts(c.new))
        if c.field == "contacts"
        else c
        for c in revision.changes
    )
    return attrs.evolve(revision, changes=changes)
