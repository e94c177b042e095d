"""HTML input: recognise it by content and decode it in the encoding the page declares.

`looks_like_html` sniffs the first 2 KiB (a doctype or a known opening tag after optional
whitespace, BOM or comments), never the file name. `decode_html` takes the BOM first, then a
`<meta charset=...>` / `http-equiv` charset in the first 4 KiB, then UTF-8, then windows-1252;
an unknown or broken declared codec falls through to the next choice. Undecodable bytes become
U+FFFD, as a browser shows them. Both use only linear-time scans (no backtracking regexes).
"""

from __future__ import annotations

import codecs

_SNIFF_TAGS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<div",
               b"<p>", b"<p ", b"<article", b"<table", b"<script", b"<link", b"<!--")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def looks_like_html(raw: bytes) -> bool:
    """True when the bytes start (after whitespace / BOM) like an HTML document."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            head = raw[len(bom):4096].decode(codec, "replace").encode("ascii", "ignore")
            break
    else:
        head = raw[:2048]
    head = head.lstrip().lower()
    if head.startswith(b"<?xml"):
        return b"<html" in head
    return head.startswith(_SNIFF_TAGS) and (b"<html" in head or b"<body" in head
                                             or b"<head" in head or b"</" in head)


def declared_charset(raw: bytes) -> str | None:
    """The charset named in the first 4 KiB (`charset=` inside a tag), if any codec knows it."""
    head = raw[:4096].lower()
    start = 0
    while True:
        at = head.find(b"charset", start)
        if at < 0:
            return None
        start = at + 7
        rest = head[start:start + 40].lstrip(b" \t\r\n=\"'")
        if not head[start:start + 40].lstrip(b" \t\r\n").startswith(b"="):
            continue
        name = bytearray()
        for byte in rest:
            if chr(byte).isalnum() or byte in b"-_:.":
                name.append(byte)
            else:
                break
        try:
            return codecs.lookup(name.decode("ascii")).name
        except (LookupError, UnicodeDecodeError):
            continue


def decode_html(raw: bytes) -> str:
    """The page's text in its declared encoding (see the module docstring for the order)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(codec, "replace")
    declared = declared_charset(raw)
    if declared and declared not in ("utf-16-le", "utf-16-be", "utf-16"):
        if declared in ("latin-1", "iso8859-1", "ascii"):
            declared = "cp1252"  # what browsers do with these labels
        try:
            return raw.decode(declared)
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
