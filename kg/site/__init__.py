"""`kg site`: a static, offline website of the built graph (see kg.site.pages)."""

from kg.site.pages import build_site

__all__ = ["build_site"]
