"""Find the URLs in an invite and say what each one is.

D001 hinges on one question: does this meeting link to a document? A video
call link is not a document, however many of them an invite carries, so
conference links are recognised first and never count as a pre-read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

from guardian.core.model import Link, LinkKind

URL_RE = re.compile(r"""(?:https?://|www\.)[^\s<>"'\]\[)(]+""", re.IGNORECASE)
_TRAILING = ".,;:!?*'\""

# host suffix -> label. Checked in order; the first match wins.
CONFERENCE_HOSTS: tuple[tuple[str, str], ...] = (
    ("zoom.us", "Zoom"),
    ("zoom.com", "Zoom"),
    ("zoomgov.com", "Zoom"),
    ("meet.google.com", "Google Meet"),
    ("hangouts.google.com", "Google Meet"),
    ("teams.microsoft.com", "Microsoft Teams"),
    ("teams.live.com", "Microsoft Teams"),
    ("webex.com", "Webex"),
    ("gotomeeting.com", "GoTo Meeting"),
    ("gotomeet.me", "GoTo Meeting"),
    ("meet.goto.com", "GoTo Meeting"),
    ("bluejeans.com", "BlueJeans"),
    ("whereby.com", "Whereby"),
    ("meet.jit.si", "Jitsi"),
    ("chime.aws", "Amazon Chime"),
    ("skype.com", "Skype"),
    ("join.skype.com", "Skype"),
    ("around.co", "Around"),
    ("app.slack.com/huddle", "Slack huddle"),
)

DOC_HOSTS: tuple[tuple[str, str], ...] = (
    ("docs.google.com", "Google Docs"),
    ("drive.google.com", "Google Drive"),
    ("sharepoint.com", "SharePoint"),
    ("onedrive.live.com", "OneDrive"),
    ("1drv.ms", "OneDrive"),
    ("atlassian.net/wiki", "Confluence"),
    ("confluence", "Confluence"),
    ("notion.so", "Notion"),
    ("notion.site", "Notion"),
    ("paper.dropbox.com", "Dropbox Paper"),
    ("dropbox.com/scl", "Dropbox"),
    ("dropbox.com/s/", "Dropbox"),
    ("quip.com", "Quip"),
    ("coda.io", "Coda"),
    ("figma.com", "Figma"),
    ("miro.com/app/board", "Miro"),
    ("loom.com/share", "Loom"),
    ("linear.app", "Linear"),
    ("airtable.com", "Airtable"),
    ("box.com/s/", "Box"),
    ("office.com", "Office"),
    ("hackmd.io", "HackMD"),
)

# Path patterns that make a code-forge or tracker URL a document.
FORGE_DOC_PATHS = re.compile(
    r"/(pull|pulls|issues|merge_requests|discussions|wiki|blob|tree|compare|commit)(/|$)"
    r"|/-/(merge_requests|issues|wikis|blob)(/|$)"
)
TRACKER_PATHS = re.compile(r"/(browse|jira/software|projects)/|/issues/[A-Z]+-\d+")


def _clean(url: str) -> str:
    url = url.rstrip(_TRAILING)
    # an unbalanced ")" at the end belongs to the prose, not the URL
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    if url.lower().startswith("www."):
        url = "https://" + url
    return url


def _host_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "", ""
    return (parts.hostname or "").lower(), parts.path or ""


def _matches(host: str, path: str, needle: str) -> bool:
    needle_host, _, needle_path = needle.partition("/")
    if "." not in needle_host:  # a bare word such as "confluence" matches a host label
        return needle_host in host.split(".")
    if host != needle_host and not host.endswith("." + needle_host):
        return False
    return not needle_path or path.lstrip("/").startswith(needle_path)


# Mail security gateways and redirectors wrap links; the document is inside.
_PROOFPOINT_V3 = re.compile(r"^https?://urldefense\.com/v3/__(.+?)__;", re.IGNORECASE)


def unwrap(url: str) -> str:
    """The link a redirector or mail gateway wraps (Safe Links, Google, Proofpoint)."""
    for _ in range(3):  # a wrapped link may be wrapped again
        inner = _unwrap_once(url)
        if not inner or inner == url:
            return url
        url = inner
    return url


def _unwrap_once(url: str) -> str | None:
    match = _PROOFPOINT_V3.match(url)
    if match:
        return match.group(1)
    host, path = _host_path(url)
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    if host.endswith("safelinks.protection.outlook.com"):
        return next(iter(query.get("url") or []), None)
    if host in ("www.google.com", "google.com") and path == "/url":
        return next(iter(query.get("q") or query.get("url") or []), None)
    if host == "urldefense.proofpoint.com" and path.startswith("/v2/url"):
        encoded = next(iter(query.get("u") or []), None)
        return unquote(encoded.replace("-", "%").replace("_", "/")) if encoded else None
    return None


@lru_cache(maxsize=4096)
def classify(url: str, label_hint: str = "") -> Link:
    """Classify one URL as a conference link, a document, or something else.

    A wrapped link is judged by what it wraps, but keeps the address the
    user was sent.
    """
    inner = unwrap(url)
    if inner != url:
        found = classify(inner, label_hint)
        return Link(url, found.kind, found.label)
    host, path = _host_path(url)
    if host in ("teams.microsoft.com", "teams.live.com") and path.startswith("/l/file/"):
        return Link(url, LinkKind.DOC, "file shared in Teams")
    for needle, label in CONFERENCE_HOSTS:
        if _matches(host, path, needle):
            return Link(url, LinkKind.CONFERENCE, label)
    for needle, label in DOC_HOSTS:
        if _matches(host, path, needle):
            return Link(url, LinkKind.DOC, label)
    if (
        host in {"github.com", "gitlab.com", "bitbucket.org"}
        or host.startswith(("github.", "gitlab.", "git."))
    ) and FORGE_DOC_PATHS.search(path):
        return Link(url, LinkKind.DOC, host.split(".")[0].capitalize())
    if (host.endswith("atlassian.net") or host.startswith("jira.")) and (
        TRACKER_PATHS.search(path) or "/browse/" in path
    ):
        return Link(url, LinkKind.DOC, "Jira")
    if label_hint:
        return Link(url, LinkKind.OTHER, label_hint)
    return Link(url, LinkKind.OTHER, host)


@lru_cache(maxsize=4096)
def _urls_in(text: str) -> tuple[str, ...]:
    return tuple(_clean(m.group(0)) for m in URL_RE.finditer(text))


def extract_links(text: str, extra_urls: tuple[str, ...] | list[str] = ()) -> tuple[Link, ...]:
    """All distinct links in `text` plus `extra_urls`, classified, in order of appearance."""
    seen: set[str] = set()
    links: list[Link] = []
    for url in (*_urls_in(text or ""), *extra_urls):
        if url and url not in seen:
            seen.add(url)
            links.append(classify(url))
    return tuple(links)


def attachment(url_or_name: str, label: str = "attachment") -> Link:
    """An attached file is a pre-read whatever its address."""
    return Link(url_or_name, LinkKind.DOC, label)
