"""`python -m gridstation` is the `gridstation` command."""

from gridstation.cli.main import main

raise SystemExit(main())
