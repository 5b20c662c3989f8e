"""``python -m search`` is the ``congres`` command."""

from search.cli import main

main()
