"""The site for people and crawlers: the home page (`/`) with its map, the UI in German and English,
`/sitemap.xml` and `/robots.txt`, and `/healthz` for load balancers."""

from lodpub.app import Part
from lodpub.site import health, home, sitemap

HOME = Part("home", home.init_app, pages=lambda _services: ("/",))
HEALTH = Part("health", health.init_app, needs_server=True)
SITEMAP = Part("sitemap", sitemap.init_app, entries=("/sitemap.xml", "/robots.txt"))
