"""WSGI entry point: `gunicorn server:app` (or any WSGI server); `python server.py` serves the defaults."""

import sys

from lodpub import create_app
from lodpub.cli import main, report
from lodpub.core.sources import DataError

APP_LOAD_ERROR = 4  # the exit code that makes gunicorn stop instead of restarting the worker

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))

try:
    app = create_app()
except DataError as error:  # the editor gets `file:line: focus — message`, not a traceback
    report(error.problems)
    raise SystemExit(APP_LOAD_ERROR) from None
