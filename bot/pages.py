"""The shell of the gateway's own HTML pages (login, source passages): one place for the
document head, the site header and the caching header. The body is the caller's, escaped."""

from __future__ import annotations

import html

from aiohttp import web


def html_page(title: str, body: str, *, stylesheet: str, status: int = 200,
              site_name: str = "Køge Kommune", main_class: str = "page", skip_link: bool = False,
              cache: str = "no-store") -> web.Response:
    """A Danish page with ``/static/page.css`` and ``/static/<stylesheet>``; ``body`` is HTML."""
    skip = '  <a class="skip-link" href="#indhold">Gå til indhold</a>\n' if skip_link else ""
    document = f"""<!doctype html>
<html lang="da">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{html.escape(title)} – Køge Kommune</title>
  <link rel="stylesheet" href="/static/page.css">
  <link rel="stylesheet" href="/static/{stylesheet}">
</head>
<body>
{skip}  <header class="site-header"><p class="site-name">{html.escape(site_name)}</p></header>
  <main id="indhold" class="{main_class}">
{body}
  </main>
</body>
</html>
"""
    return web.Response(text=document, content_type="text/html", status=status,
                        headers={"Cache-Control": cache})
