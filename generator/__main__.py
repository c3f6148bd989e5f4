"""``python -m generator`` runs the ``nianbao`` command line."""

from generator.cli import main

main(prog_name="nianbao")
