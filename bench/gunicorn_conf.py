"""gunicorn settings the ceilings share with `lodpub serve` beyond the command line's: a keep-alive
connection closed after `KEEPALIVE_REQUESTS`, so their workers share the connections as lodpub's do
(without it one worker of a ceiling sometimes served all 16 connections, halving its figure)."""

from lodpub.cli.serving import close_after_some_requests

pre_request = close_after_some_requests
