"""No page loads anything from another host: every script, style, icon, font and image is served by Qala.

The scanner reads the templates and the static files (our CSS, JS and HTML,
and the vendored CSS) and flags anything that would make a browser fetch from
another host. Links that a person follows (``<a href>`` to a licence page) are
fine. The base-map tile URL is a setting, not part of any file, so it is not
seen here.
"""

import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
VENDOR_DIR = BASE_DIR / "static" / "vendor"

# "http://host", "https://host" or the protocol-relative "//host".
_EXTERNAL = r"(?:https?:)?//[^/\s'\"`)]"
_QUOTE = r"[\"'`]?\s*"

_CSS_PATTERNS = (
    re.compile(rf"url\(\s*{_QUOTE}{_EXTERNAL}", re.I),
    re.compile(rf"@import\s+(?:url\(\s*)?{_QUOTE}{_EXTERNAL}", re.I),
)
_JS_PATTERNS = (
    re.compile(rf"\bfetch\(\s*{_QUOTE}{_EXTERNAL}"),
    re.compile(rf"\bimport\s*\(\s*{_QUOTE}{_EXTERNAL}"),
    re.compile(rf"\bimport\b[^;]*?\bfrom\s*[\"'`]{_EXTERNAL}"),
    re.compile(rf"\bimport\s*[\"'`]{_EXTERNAL}"),
    re.compile(rf"\bimportScripts\(\s*{_QUOTE}{_EXTERNAL}"),
    re.compile(rf"\bnew\s+(?:Worker|SharedWorker|EventSource)\(\s*{_QUOTE}{_EXTERNAL}"),
    re.compile(rf"\.open\(\s*[\"'][A-Za-z]+[\"']\s*,\s*{_QUOTE}{_EXTERNAL}"),
    re.compile(rf"\.(?:src|href)\s*=\s*[\"'`]{_EXTERNAL}"),
)
_ATTRIBUTE = r"\s*=\s*[\"']?\s*"
_HTML_PATTERNS = (
    re.compile(rf"<script\b[^>]*\bsrc{_ATTRIBUTE}{_EXTERNAL}", re.I),
    re.compile(rf"<(?:img|source|iframe|embed|video|audio|track|input)\b[^>]*\bsrc{_ATTRIBUTE}{_EXTERNAL}", re.I),
    re.compile(rf"<(?:img|source)\b[^>]*\bsrcset{_ATTRIBUTE}[^>]*?{_EXTERNAL}", re.I),
    re.compile(rf"<(?:video)\b[^>]*\bposter{_ATTRIBUTE}{_EXTERNAL}", re.I),
    re.compile(rf"<object\b[^>]*\bdata{_ATTRIBUTE}{_EXTERNAL}", re.I),
    re.compile(rf"<(?:image|use|feImage)\b[^>]*\b(?:xlink:)?href{_ATTRIBUTE}{_EXTERNAL}", re.I),
)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_LINK_HREF = re.compile(rf"\bhref{_ATTRIBUTE}({_EXTERNAL})", re.I)
_LINK_REL = re.compile(r"\brel\s*=\s*[\"']?([^\"'>]+)", re.I)
# <link> relations that only name another page; every other relation makes the browser fetch or connect.
_NAVIGATION_RELS = {"alternate", "author", "bookmark", "canonical", "help", "license", "me", "next", "prev"}


def external_references(text: str, kind: str) -> list[str]:
    """The snippets of ``text`` that would load something from another host; ``kind`` is html, css or js.

    An HTML file is also read as CSS and JS, for its inline styles and scripts.
    """
    patterns = {"css": _CSS_PATTERNS, "js": _JS_PATTERNS, "html": _HTML_PATTERNS + _CSS_PATTERNS + _JS_PATTERNS}[kind]
    found = [match.group(0) for pattern in patterns for match in pattern.finditer(text)]
    if kind == "html":
        for tag in _LINK_TAG.finditer(text):
            rel = _LINK_REL.search(tag.group(0))
            rels = set(rel.group(1).lower().split()) if rel else set()
            if _LINK_HREF.search(tag.group(0)) and not (rels and rels <= _NAVIGATION_RELS):
                found.append(tag.group(0))
    return found


def files_to_scan() -> list[tuple[Path, str]]:
    """Our templates and static files, and the vendored CSS (vendored JS is minified upstream code)."""
    files = [(path, "html") for path in (BASE_DIR / "templates").rglob("*.html")]
    for path in (BASE_DIR / "static").rglob("*"):
        vendored = VENDOR_DIR in path.parents
        if path.suffix == ".css":
            files.append((path, "css"))
        elif path.suffix in (".html", ".svg"):
            files.append((path, "html"))
        elif path.suffix in (".js", ".mjs") and not vendored:
            files.append((path, "js"))
    return sorted(files)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("html", '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"></script>'),
        ("html", "<script defer src=//unpkg.com/htmx.org></script>"),
        ("html", '<link rel="stylesheet" href="https://unpkg.com/leaflet@1.9.4/dist/leaflet.css">'),
        ("html", '<link href="https://fonts.googleapis.com/css2?family=Inter" rel="stylesheet">'),
        ("html", '<link rel="icon" href="https://example.org/favicon.ico">'),
        ("html", '<link rel="preconnect" href="https://fonts.gstatic.com">'),
        ("html", '<link href="https://example.org/font.woff2" as="font">'),
        ("html", '<img alt="" src="https://tile.openstreetmap.org/1/0/0.png">'),
        ("html", '<img srcset="/a.png 1x, https://example.org/b.png 2x">'),
        ("html", '<div style="background: url(https://example.org/bg.png)"></div>'),
        ("html", "<script>fetch('https://api.example.org/data')</script>"),
        ("css", "@import url('https://fonts.googleapis.com/css2?family=Inter');"),
        ("css", '@import "https://example.org/theme.css";'),
        ("css", "@font-face { src: url(https://example.org/font.woff2) format('woff2'); }"),
        ("css", ".marker { background-image: url( '//example.org/marker.png' ); }"),
        ("js", 'fetch("https://api.example.org/layers.geojson").then(r => r.json());'),
        ("js", "fetch( `https://api.example.org/${name}` )"),
        ("js", 'import L from "https://esm.sh/leaflet@1.9.4";'),
        ("js", 'import { map } from "https://esm.sh/leaflet";'),
        ("js", 'const m = await import("https://esm.sh/leaflet");'),
        ("js", 'importScripts("https://example.org/worker.js");'),
        ("js", 'script.src = "https://example.org/tracker.js";'),
        ("js", 'xhr.open("GET", "https://example.org/data.json");'),
    ],
)
def test_the_scanner_catches_a_planted_external_reference(kind, text):
    assert external_references(text, kind)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("html", '<a href="https://opendatacommons.org/licenses/odbl/1-0/" rel="license">ODbL 1.0</a>'),
        ("html", '<link rel="license" href="https://creativecommons.org/licenses/by-sa/2.0/">'),
        ("html", '<link rel="canonical" href="https://qala.example.org/">'),
        ("html", "<script src=\"{% static 'vendor/leaflet-1.9.4/leaflet.js' %}\"></script>"),
        ("html", '<link rel="stylesheet" href="{% static \'css/qala.css\' %}">'),
        ("html", '<img src="/static/img/logo.svg" alt="Qala">'),
        ("html", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>'),
        ("css", ".leaflet-control-layers-toggle { background-image: url(images/layers.png); }"),
        ("css", ".lvml { behavior: url(#default#VML); }"),
        ("css", "/* see https://bugzilla.mozilla.org/show_bug.cgi?id=888319 */"),
        ("js", 'fetch(overlay.spec.geojson + "?bbox=" + bbox)'),
        ("js", 'var SVG = "http://www.w3.org/2000/svg";'),
        ("js", "// https://leafletjs.com/reference.html"),
    ],
)
def test_the_scanner_lets_local_assets_and_links_pass(kind, text):
    assert external_references(text, kind) == []


def test_the_scanner_reads_the_templates_and_static_files():
    scanned = {path.relative_to(BASE_DIR).as_posix() for path, _kind in files_to_scan()}
    assert "templates/base.html" in scanned
    assert "templates/gis_data/map.html" in scanned
    assert "static/js/map.js" in scanned
    assert "static/vendor/leaflet-1.9.4/leaflet.css" in scanned
    assert "static/vendor/leaflet-1.9.4/leaflet.js" not in scanned


def test_no_template_or_static_file_loads_anything_from_another_host():
    problems = []
    for path, kind in files_to_scan():
        text = path.read_text(encoding="utf-8", errors="replace")
        for snippet in external_references(text, kind):
            line = text.count("\n", 0, text.index(snippet)) + 1
            problems.append(f"{path.relative_to(BASE_DIR)}:{line}: {snippet}")
    assert problems == []


def vendored_checksums() -> dict[str, str]:
    """The sha256 of each vendored file, as static/vendor/VENDORED.md records it."""
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|\s*`([0-9a-f]{64})`\s*\|", (VENDOR_DIR / "VENDORED.md").read_text(), re.M)
    return dict(rows)


def test_every_vendored_file_is_recorded_with_its_checksum():
    recorded = vendored_checksums()
    present = {
        path.relative_to(VENDOR_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in VENDOR_DIR.rglob("*")
        if path.is_file() and path.name != "VENDORED.md"
    }
    assert present == recorded
