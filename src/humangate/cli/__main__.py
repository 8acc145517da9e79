"""``python -m humangate.cli``."""

from humangate.cli import main

main()
