"""QR codes for the survey link, as PNG and SVG (segno, no network)."""

from __future__ import annotations

import io

import segno


def _code(url: str):
    # Error level M survives a poster that is a little dirty or folded.
    return segno.make(url, error="m", micro=False)


def png(url: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(url: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=scale, border=4, xmldecl=True, svgns=True)
    return out.getvalue()
