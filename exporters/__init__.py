"""Exporters: the dataset written for other consumers (search engines, catalogues, calendars, maps).

One module per export; each reads the store and knows nothing about Flask (see README.md).
"""
