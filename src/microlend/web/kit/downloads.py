"""A stored file as the answer of an API or page route: its type and its name (UTF-8 encoded)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response


def file_response(content: bytes, media_type: str, filename: str, *, inline: bool) -> Response:
    """``content`` to show in the browser (``inline``) or to save as ``filename``."""
    disposition = "inline" if inline else "attachment"
    name = quote(filename, safe="")
    headers = {"Content-Disposition": f"{disposition}; filename*=UTF-8''{name}"}
    return Response(content, media_type=media_type, headers=headers)
