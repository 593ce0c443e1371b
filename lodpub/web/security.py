"""Headers that make a browser hold our responses to what they are, and log text that cannot forge lines.

Every response says `X-Content-Type-Options: nosniff`: error texts and SPARQL results echo input, and a
browser that sniffed them as HTML would run it. Pages also get a Content-Security-Policy that allows
only this server's own scripts, styles, images and fetches (the JSON-LD and prefix `<script>` blocks
are data, which a CSP does not block), no framing by anyone (clickjacking: the edit page has a
publish button), and a referrer that never carries a page's query (a SPARQL query, a search) to
another site. One rule for every page, the edit page included, so no page is the weak one; the one
exception is the query page's style: its editor (CodeMirror) writes its styles into a `<style>`
element, so that page allows inline styles (never inline scripts). CodeMirror's `cspNonce` would
remove the exception, at the price of a nonce per response, which the response cache cannot replay.

`printable` is for anything from a request that goes into a log: control characters (a newline, an
ANSI escape) could otherwise forge log lines or rewrite a terminal.
"""

from __future__ import annotations

from flask import Flask, Response, request

DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
POLICY = "; ".join(DIRECTIVES)
EDITOR_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
EDITOR_PAGES = frozenset({"sparql.endpoint"})  # endpoints whose pages load the query editor
PAGE_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    app.after_request(secure_headers)


def secure_headers(response: Response) -> Response:
    """`nosniff` on everything; the page rules on HTML, set here only, replacing any a view set."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        for name, value in PAGE_HEADERS.items():
            response.headers[name] = value
        if request.endpoint in EDITOR_PAGES:
            response.headers["Content-Security-Policy"] = EDITOR_POLICY
    return response
