"""``python -m hirehub``: the same command as the ``hirehub`` console script."""

from hirehub.cli import app

app(prog_name="hirehub")
