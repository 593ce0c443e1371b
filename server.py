"""WSGI entry point: `gunicorn server:app` (or any WSGI server); `python server.py` serves the defaults."""

import sys

from lodpub import create_app
from lodpub.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))

app = create_app()
