"""One place that turns errors into responses: HTTP errors keep their status and message,
anything else is logged and answered with a plain 500 that leaks nothing."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, InternalServerError


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _http_error(error: HTTPException) -> Response:
    response = error.get_response()
    if error.code is not None and error.code < 400:
        return response
    body = f"{error.code} {error.name}: {error.description}\n"
    response.set_data(body.encode())
    response.mimetype = "text/plain"
    response.charset = "utf-8"
    return response


def _unexpected_error(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_error(error)
    from flask import current_app

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _http_error(InternalServerError("the server failed; the error has been logged"))
