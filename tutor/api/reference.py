"""The API reference at ``/schema``: plain HTML rendered on the server, no script from anywhere.

Litestar's interactive viewers load their JavaScript from a CDN without integrity checks; a school's
browser should not run third-party code next to a signed-in session. The machine-readable schema stays
at ``/schema/openapi.json`` for tools.
"""

from __future__ import annotations

import html
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

__all__ = ["PlainReferencePlugin"]

_METHODS = ("get", "post", "put", "patch", "delete")


class PlainReferencePlugin(OpenAPIRenderPlugin):
    def __init__(self, path: str = "/") -> None:
        super().__init__(path=path, favicon="")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        info = openapi_schema.get("info", {})
        rows = []
        for path, operations in sorted(openapi_schema.get("paths", {}).items()):
            for method in _METHODS:
                operation = operations.get(method)
                if operation is None:
                    continue
                rows.append(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>".format(
                        method.upper(),
                        html.escape(path),
                        html.escape(str(operation.get("summary", ""))),
                    )
                )
        title = html.escape(str(info.get("title", "API")))
        body = (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            "<style>body{font-family:sans-serif;margin:2em}td{padding:2px 8px;vertical-align:top}</style>"
            f"</head><body><h1>{title} {html.escape(str(info.get('version', '')))}</h1>"
            "<p>Machine-readable: <a href='openapi.json'>openapi.json</a>.</p>"
            "<table><tr><th>method</th><th>path</th><th>what</th></tr>" + "".join(rows) + "</table>"
            "</body></html>"
        )
        return body.encode("utf-8")
