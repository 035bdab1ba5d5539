"""Contract test suites for plug-in authors.

A company that plugs its own piece into kamcore — a custom scoring model, a
repository adapter for its CRM's database — runs the matching contract suite from its
own test run to check that the piece keeps every promise kamcore relies on. Each
contract is a pytest-style class to subclass; it needs ``pytest`` and ``hypothesis``
(the ``test`` extra).
"""

__all__ = ["repository", "scoring"]
