"""``python -m accordwatch``: the same command line as the ``accordwatch`` script."""

from accordwatch.cli import run

if __name__ == "__main__":
    run()
