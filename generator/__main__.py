"""``python -m generator`` runs the ``nianbao`` command line."""

from .cli import main

main(prog_name="nianbao")
