"""The site for people and crawlers: the home page (`/`) with its map, the UI in German and English,
`/sitemap.xml` and `/robots.txt`, `/healthz` for load balancers, and `/search` (a static copy has no
server to search with, so it leaves the search out, and with it every page's search box)."""

from lodpub.app import Part
from lodpub.site import health, home, search, sitemap

HOME = Part("home", home.init_app, pages=lambda _services: ("/",))
HEALTH = Part("health", health.init_app, needs_server=True)
SEARCH = Part("search", search.init_app, needs_server=True)
SITEMAP = Part("sitemap", sitemap.init_app, entries=("/sitemap.xml", "/robots.txt"))
