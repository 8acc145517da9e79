"""Find URLs in a task's text and in CSV cells, and say which may be fetched: scheme, form and address.

URLs come from untrusted text, so only ``http`` and ``https`` URLs without a user name or password are
fetched, and only from public addresses: loopback, private, link-local (cloud metadata), shared,
multicast and reserved addresses are refused unless the operator's allow-list names their network.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

import httpx

__all__ = ["IPNetwork", "address_problem", "cell_urls", "find_urls", "parse_networks", "url_problem"]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_URL = re.compile(r"\bhttps?://[^\s<>\"'`\[\]{}|\\^]+", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_HOSTLIKE = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:/\S*)?$", re.I)
_MAX_URLS = 50
_MAX_URL_CHARS = 2_000


def find_urls(text: str) -> list[str]:
    """Return the http(s) URLs in ``text``, in order, without repeats or trailing punctuation."""
    found = (m.group().rstrip(".,;:!?)'\"”’") for m in _URL.finditer(text))
    return list(dict.fromkeys(found))[:_MAX_URLS]


def cell_urls(value: str) -> tuple[list[str], list[str]]:
    """Return the URLs in a CSV cell (``https://...`` or a bare ``www.host.example/page``) and what was refused.

    Each refusal names the value and why ("only http and https pages are fetched").
    """
    urls: list[str] = []
    refused: list[str] = []
    for token in re.split(r"[\s,;]+", value.strip()):
        token = token.strip("<>\"'")
        if not token:
            continue
        if _SCHEME.match(token) and not token.lower().startswith(("http://", "https://")):
            refused.append(f"{token[:80]!r}: only http and https pages are fetched")
        elif token.lower().startswith(("http://", "https://")):
            urls.append(token)
        elif _HOSTLIKE.match(token):
            urls.append(f"https://{token}")
        else:
            refused.append(f"{token[:80]!r}: it is not a URL")
    return list(dict.fromkeys(urls))[:_MAX_URLS], refused


def url_problem(url: str) -> str | None:
    """Return why ``url`` may not be fetched as written (scheme, credentials, host, port, length), or None."""
    if len(url) > _MAX_URL_CHARS:
        return f"is longer than {_MAX_URL_CHARS} characters"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"is not a valid URL ({exc})"
    if parsed.scheme not in ("http", "https"):
        return f"uses the {parsed.scheme or 'no'} scheme; only http and https pages are fetched"
    if parsed.userinfo:
        return "carries a user name or password; such URLs are not fetched"
    if not parsed.host:
        return "names no host"
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        return f"names the port {parsed.port}, outside 1-65535"
    if problem := _host_problem(parsed.raw_host.decode("ascii", "replace")):
        return problem
    return None


def _host_problem(host: str) -> str | None:
    """Return why ``host`` (as sent: IDNA-encoded) is no name a resolver takes, or None."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None  # an IP literal: the address check judges it
    except ValueError:
        pass
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 253 or any(not label or len(label) > 63 for label in labels):
        return f"names the host {host[:80]!r}, which is not a valid host name (an empty or over-long label)"
    if not all(re.fullmatch(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?", label, re.I) for label in labels):
        return f"names the host {host[:80]!r}, which is not a valid host name"
    try:
        host.encode("idna")
    except UnicodeError:
        return f"names the host {host[:80]!r}, which does not encode as a host name"
    return None


def parse_networks(values: Sequence[str]) -> tuple[IPNetwork, ...]:
    """Return the networks of an allow-list ("127.0.0.1", "10.0.0.0/8"); raise ``ValueError`` on a bad one."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def address_problem(address: str, allow: Sequence[IPNetwork] = ()) -> str | None:
    """Return why a page may not be fetched from ``address`` (not a public address), or None.

    An address inside a network of ``allow`` is fetched whatever it is (tests, an intranet the operator
    trusts); an IPv4 address written as IPv6 (``::ffff:127.0.0.1``) is judged as the IPv4 address.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"resolves to {address!r}, which is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip.version == net.version and ip in net for net in allow):
        return None
    if ip.is_loopback:
        kind = "a loopback"
    elif ip.is_link_local:
        kind = "a link-local (cloud metadata)"
    elif ip.is_private:
        kind = "a private"
    elif ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        kind = "a reserved or non-public"
    else:
        return None
    return (
        f"resolves to {ip}, {kind} address; pages are fetched from public addresses only "
        "(an operator may allow a network with HUMANGATE_FETCH_ALLOW)"
    )
