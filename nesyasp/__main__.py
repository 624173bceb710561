"""``python -m nesyasp`` runs the command line."""

from nesyasp.cli import main

raise SystemExit(main())
