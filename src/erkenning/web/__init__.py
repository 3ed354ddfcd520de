"""The web interface in Dutch: server-rendered pages on the same services as the JSON API.

`router.py` assembles it; `pages/` holds one module of controllers per domain; templates and the
stylesheet live beside them. See docs/web.md for the recipe to add a page.
"""
