"""Linked Data: every IRI of the dataset dereferences, in the format the client asks for."""

from .views import init_app

__all__ = ["init_app"]
