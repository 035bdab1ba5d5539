"""``python -m kamcore`` runs the ``kamcore`` command."""

from kamcore.cli import main

raise SystemExit(main())
