"""One place that turns errors into responses, with the same status, headers and message for everyone:
a page in the reader's language for a browser, `404 Not Found: message` as plain text for programs.
Anything that is not an HTTP error is logged and answered as a 500 that leaks nothing, except a body
gunicorn cannot parse (a bad chunk size or terminator, a truncated body): gunicorn raises that from
the view's first read of `wsgi.input`, and it is the client's error, a 400. Request paths in the log
have their control characters escaped (`core.printable`): a path cannot forge log lines.

Which of the two a client gets is a pure function of its `Accept` header (`prefers_page`): a browser
ranks `text/html` above everything else, while `curl` and the SPARQL libraries accept `*/*` or name
what they want, and get text. A path nothing is published at (`NotPublished`) is decided by the
linked-data view instead: documents are pages by default, and so is the 404 in their place.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from gunicorn.http.errors import NoMoreData, ParseException
from werkzeug.exceptions import (
    BadGateway,
    BadRequest,
    GatewayTimeout,
    HTTPException,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
)

from lodpub.core.negotiation import parse_accept, quality
from lodpub.core.printable import printable
from lodpub.store.remote import StoreRefused, StoreTimeout, StoreUnavailable
from lodpub.web import i18n
from lodpub.web.caching import vary

PAGE, TEXT = "text/html", "text/plain"
RETRY_STORE = 5  # seconds a client is told to wait for a remote store that does not answer


class NotPublished(NotFound):
    """A path under the dataset's IRIs that names nothing in it. `page` is the view's choice between
    the page and the text (the document's own negotiation); the page says where to look instead."""

    def __init__(self, path: str, *, page: bool):
        super().__init__(f"nothing in this dataset is published at {path}; /sparql can search it")
        self.path = path
        self.page = page


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ParseException, _unreadable_body)
    app.register_error_handler(NoMoreData, _unreadable_body)
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    app.register_error_handler(StoreRefused, _store_refused)
    app.register_error_handler(Exception, _unexpected_error)


def prefers_page(accept: str | None) -> bool:
    """Whether a client ranks an HTML page above plain text; a tie (`*/*`, no header) is text."""
    ranges = parse_accept(accept)
    return quality(ranges, PAGE) > quality(ranges, TEXT)


def _http_error(error: HTTPException) -> Response:
    response = error.get_response()  # keeps the error's own headers: Allow, Retry-After, …
    if error.code is None or error.code < 400 or response.mimetype == "application/json":
        return response  # a JSON error body (a refused write's report, asked for as JSON) is kept
    vary(response, "Accept", "Accept-Language")  # page or text, and the page's language
    page = error.page if isinstance(error, NotPublished) else prefers_page(request.headers.get("Accept"))
    html = _page(error) if page else None
    if html is None:
        response.set_data(f"{error.code} {error.name}: {error.description}\n".encode())
        response.mimetype = TEXT
    else:
        response.set_data(html.encode())
        response.mimetype = PAGE
    response.charset = "utf-8"
    return response


def _page(error: HTTPException) -> str | None:
    """The error page (`error.html`); None, and the text instead, if even that page fails."""
    try:
        return render_template(
            "error.html",
            code=error.code,
            description=error.description,
            published_at=error.path if isinstance(error, NotPublished) else None,
            lang=i18n.choose_language(),
            link_lang=i18n.explicit_language(),
            language_switch=request.method in ("GET", "HEAD"),
        )
    except Exception:
        current_app.logger.exception(
            "the error page for %s %s failed", request.method, printable(request.path)
        )
        return None


def _unexpected_error(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_error(error)
    current_app.logger.exception("unhandled error on %s %s", request.method, printable(request.path))
    return _http_error(InternalServerError("the server failed; the error has been logged"))


def _unreadable_body(error: Exception) -> Response:
    """A request body gunicorn could not parse: a 400 saying why, not a traceback in the log."""
    return _http_error(BadRequest(f"the request body is malformed: {printable(str(error))}"))


def _store_unavailable(error: StoreUnavailable) -> Response:
    """A remote store that did not answer in time (504) or at all (503): its trouble, said as such,
    with no trace in the log beyond one line (it says nothing secret: no credentials, no query)."""
    current_app.logger.warning(
        "store unavailable on %s %s: %s", request.method, printable(request.path), error
    )
    if isinstance(error, StoreTimeout):
        return _http_error(GatewayTimeout(f"the SPARQL store did not answer in time: {error}"))
    failed = ServiceUnavailable(f"the SPARQL store is unavailable: {error}", retry_after=RETRY_STORE)
    return _http_error(failed)


def _store_refused(error: StoreRefused) -> Response:
    """The remote store refused a query lodpub itself sent for a page: a store that lacks some
    SPARQL 1.1 this page needs (a 502 that names it), not a visitor's fault."""
    path = printable(request.path)
    current_app.logger.warning("the store refused a query on %s %s: %s", request.method, path, error)
    return _http_error(BadGateway(f"the SPARQL store could not answer for this page: {error}"))
