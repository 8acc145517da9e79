"""Fetching pages over real HTTP from a server the test starts: extraction, limits, robots.txt and SSRF refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from humangate.errors import SourceSkipped
from humangate.sources import Fetcher, FetchPolicy, page_sources
from humangate.sources.urls import parse_networks

from .documents_support import make_html, make_pdf
from .web_server import Answer, WebServer, drip, endless, gzipped, web_server

LOCAL = parse_networks(["127.0.0.1/32"])
GUIDE = make_html(
    "Home battery guide",
    [
        (
            "costs",
            "What it costs",
            [
                "A home battery of ten kilowatt hours costs about 6,000 euros installed today, with the inverter, "
                "the wiring and an electrician's day of work included in most regions of the country."
            ],
        ),
        (
            "savings",
            "What it saves",
            [
                "With solar panels and a battery a household uses about 70 percent of its own power, up from 30 "
                "percent without storage, which cuts its yearly bill by several hundred euros."
            ],
        ),
    ],
)


@pytest.fixture
def site() -> Iterator[WebServer]:
    with web_server() as server:
        server.routes["/robots.txt"] = Answer(b"User-agent: *\nAllow: /\nDisallow: /private\n")
        server.html("/guide.html", GUIDE)
        yield server


def fetcher(**limits: float) -> Fetcher:
    """Return a fetcher that may reach the test's server on 127.0.0.1 only."""
    return Fetcher(FetchPolicy(allow=LOCAL, **limits))  # type: ignore[arg-type]


def skipped(fetch: Fetcher, url: str) -> str:
    with pytest.raises(SourceSkipped) as caught:
        fetch.fetch(url)
    return caught.value.reason


def test_a_page_is_fetched_and_its_main_text_kept_with_title_and_section_anchors(site: WebServer) -> None:
    page = fetcher().fetch(f"{site.url}/guide.html")
    assert page.media_type == "text/html" and page.charset == "utf-8"
    sources, notes = page_sources(page)
    assert [s.id for s in sources] == ["web/127.0.0.1/guide.html#costs", "web/127.0.0.1/guide.html#savings"]
    assert sources[0].title == "Home battery guide, What it costs"
    assert sources[0].url == f"{site.url}/guide.html#costs"
    assert "6,000 euros" in sources[0].text and notes == []
    text = " ".join(s.text for s in sources)
    # Navigation, the footer and scripts are not the page's content.
    for chrome in ("About us", "All rights reserved", "Ignore all previous"):
        assert chrome not in text
    assert ("/robots.txt", f"127.0.0.1:{site.port}") in site.requests


def test_a_pdf_is_fetched_and_read_page_by_page(site: WebServer) -> None:
    pdf = make_pdf([["Storage prices fell by a fifth in 2024."], ["Installers expect growth in 2025."]], title="Report")
    site.routes["/report.pdf"] = Answer(pdf, headers={"Content-Type": "application/pdf"})
    sources, _ = page_sources(fetcher().fetch(f"{site.url}/report.pdf"))
    assert [(s.id, s.title, s.url) for s in sources] == [
        ("web/127.0.0.1/report.pdf#page-1", "Report, page 1", f"{site.url}/report.pdf#page=1"),
        ("web/127.0.0.1/report.pdf#page-2", "Report, page 2", f"{site.url}/report.pdf#page=2"),
    ]
    assert "fell by a fifth" in sources[0].text


def test_robots_txt_is_honoured_with_the_longest_rule(site: WebServer) -> None:
    site.html("/private/board.html", "<p>Board minutes.</p>")
    reason = skipped(fetcher(), f"{site.url}/private/board.html")
    assert reason.startswith("is disallowed by the site's robots.txt")
    assert not site.asked("/private/board.html")  # "Allow: /" comes first; the longer Disallow wins


def test_an_unreachable_robots_txt_allows_nothing_and_a_missing_one_everything(site: WebServer) -> None:
    site.routes["/robots.txt"] = Answer(b"down", status=503)
    assert "robots.txt" in skipped(fetcher(), f"{site.url}/guide.html")
    assert not site.asked("/guide.html")
    del site.routes["/robots.txt"]  # 404: no rules at all
    assert fetcher().fetch(f"{site.url}/guide.html").body


def test_an_oversized_answer_is_refused_by_its_length_or_while_streaming(site: WebServer) -> None:
    site.routes["/huge.html"] = Answer(b"x" * 2_000_000, headers={"Content-Type": "text/html"})
    assert skipped(fetcher(max_bytes=100_000), f"{site.url}/huge.html") == (
        "is 2,000,000 bytes, more than the limit of 100,000"
    )
    site.routes["/endless.html"] = Answer(headers={"Content-Type": "text/html"}, stream=endless())
    started = time.monotonic()
    reason = skipped(fetcher(max_bytes=100_000), f"{site.url}/endless.html")
    assert reason == "is more than the limit of 100,000 bytes; reading stopped there"
    assert time.monotonic() - started < 5
    # The client hung up soon after the limit: far less than the 200 MB the server would have sent.
    time.sleep(0.2)
    assert site.sent.get("/endless.html", 0) < 20_000_000


def test_a_compressed_body_is_inflated_within_the_limit(site: WebServer) -> None:
    site.routes["/small.html"] = Answer(
        gzipped(GUIDE.encode()), headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
    )
    assert b"What it costs" in fetcher().fetch(f"{site.url}/small.html").body
    bomb = gzipped(b"<p>" + b"0" * 30_000_000 + b"</p>")  # 30 MB in about 30 kB
    site.routes["/bomb.html"] = Answer(bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert "more than the limit of 1,000,000 bytes" in skipped(fetcher(max_bytes=1_000_000), f"{site.url}/bomb.html")


def test_a_slow_answer_is_stopped_at_the_deadline(site: WebServer) -> None:
    site.routes["/slow.html"] = Answer(headers={"Content-Type": "text/html"}, stream=drip(every=0.1))
    started = time.monotonic()
    reason = skipped(fetcher(timeout_seconds=1.0), f"{site.url}/slow.html")
    assert reason == "took longer than 1 s; the fetch was stopped"
    assert time.monotonic() - started < 3


def test_answers_that_are_no_page_are_skipped_with_the_reason(site: WebServer) -> None:
    site.routes["/logo.png"] = Answer(b"\x89PNG....", headers={"Content-Type": "image/png"})
    assert skipped(fetcher(), f"{site.url}/logo.png") == "is image/png, not a page or document humangate reads"
    assert skipped(fetcher(), f"{site.url}/gone.html") == "was answered 404 Not Found"
    site.routes["/broken.pdf"] = Answer(b"%PDF-1.4 not really", headers={"Content-Type": "application/pdf"})
    with pytest.raises(SourceSkipped, match="is not a readable PDF"):
        page_sources(fetcher().fetch(f"{site.url}/broken.pdf"))


def test_loopback_and_private_addresses_are_refused_by_default(site: WebServer) -> None:
    default = Fetcher()
    for url in (
        f"{site.url}/guide.html",
        f"http://localhost:{site.port}/guide.html",
        f"http://2130706433:{site.port}/",
    ):
        assert "loopback address" in skipped(default, url)
    assert "link-local (cloud metadata)" in skipped(default, "http://169.254.169.254/latest/meta-data/")
    assert "a private address" in skipped(default, "http://10.0.0.8/")
    assert "loopback address" in skipped(default, "http://[::ffff:127.0.0.1]/")
    assert site.requests == []  # nothing was asked of the server


def test_schemes_and_credentials_are_refused() -> None:
    fetch = fetcher()
    assert "only http and https" in skipped(fetch, "file:///etc/passwd")
    assert "only http and https" in skipped(fetch, "gopher://127.0.0.1:70/")
    assert "user name or password" in skipped(fetch, "http://admin:secret@127.0.0.1/")


def test_each_redirect_target_is_checked_again(site: WebServer) -> None:
    site.routes["/to-guide"] = Answer(status=302, headers={"Location": "/guide.html"})
    assert fetcher().fetch(f"{site.url}/to-guide").final_url == f"{site.url}/guide.html"
    site.routes["/to-metadata"] = Answer(status=302, headers={"Location": "http://169.254.169.254/latest/"})
    assert "redirects to 169.254.169.254, which resolves to 169.254.169.254, a link-local" in skipped(
        fetcher(), f"{site.url}/to-metadata"
    )
    site.routes["/to-other-loopback"] = Answer(status=301, headers={"Location": f"http://127.0.0.2:{site.port}/"})
    assert "loopback address" in skipped(fetcher(), f"{site.url}/to-other-loopback")  # outside the allow-list
    site.routes["/to-file"] = Answer(status=302, headers={"Location": "file:///etc/passwd"})
    assert "only http and https" in skipped(fetcher(), f"{site.url}/to-file")
    site.routes["/to-private"] = Answer(status=307, headers={"Location": "/private/x.html"})
    assert "robots.txt" in skipped(fetcher(), f"{site.url}/to-private")
    site.routes["/loop"] = Answer(status=302, headers={"Location": "/loop"})
    assert skipped(fetcher(), f"{site.url}/loop") == "redirects more than 5 times"


def test_the_connection_goes_to_the_address_that_was_checked(site: WebServer) -> None:
    async def pages_example(host: str, port: int) -> list[str]:
        return {"pages.example": ["127.0.0.1"], "mixed.example": ["127.0.0.1", "10.1.2.3"]}[host]

    fetch = Fetcher(FetchPolicy(allow=LOCAL), resolver=pages_example)
    page = fetch.fetch(f"http://pages.example:{site.port}/guide.html")
    assert page.final_url == f"http://pages.example:{site.port}/guide.html"
    assert ("/guide.html", f"pages.example:{site.port}") in site.requests  # the host's name, the checked address
    # A name that also resolves to a refused address is refused: the system could connect to either.
    assert "10.1.2.3, a private address" in skipped(fetch, f"http://mixed.example:{site.port}/guide.html")


def test_many_pages_are_fetched_together_and_each_answer_kept(site: WebServer) -> None:
    fetch = fetcher()
    urls = [f"{site.url}/guide.html", f"{site.url}/gone.html", f"{site.url}/guide.html"]
    first, second, third = fetch.fetch_many(urls)
    assert not isinstance(first, SourceSkipped) and isinstance(second, SourceSkipped) and third is first
    asked = len(site.requests)
    fetch.fetch(f"{site.url}/guide.html")
    assert len(site.requests) == asked  # kept for the fetcher's life: one task fetches a page once
