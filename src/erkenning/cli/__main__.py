"""`python -m erkenning.cli`: the same command as `erkenning`."""

from erkenning.cli import main

main()
