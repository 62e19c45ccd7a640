from __future__ import annotations

import pytest

from deepworkzone.domain.hostnames import (
    DomainMatcher,
    InvalidDomain,
    host_of,
    normalise_domain,
    normalise_domains,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("example.com", "example.com"),
        ("EXAMPLE.Com", "example.com"),
        ("example.com.", "example.com"),
        ("  example.com  ", "example.com"),
        ("example.com\n", "example.com"),  # pasted lines end in a newline
        ("www.example.com", "example.com"),
        ("WWW.Example.COM.", "example.com"),
        ("www.com", "www.com"),  # the bare domain itself is not dropped
        ("news.example.co.uk", "news.example.co.uk"),
        ("https://www.youtube.com/watch?v=x", "youtube.com"),
        ("http://user:secret@reddit.com:8080/r/all", "reddit.com"),
        ("HTTPS://Twitter.COM", "twitter.com"),
        ("example.com/", "example.com"),
        ("example.com:8080", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("https://WWW.Bücher.de./x", "xn--bcher-kva.de"),
        ("BÜCHER.DE", "xn--bcher-kva.de"),
        ("例え.jp", "xn--r8jz45g.jp"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("my_host.example.com", "my_host.example.com"),
    ],
)
def test_normalise_domain(text: str, expected: str) -> None:
    assert normalise_domain(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("face book.com", "spaces"),
        ("a.com\n1.2.3.4 bank.com", "spaces or control"),
        ("a.com\r\nb.com", "spaces or control"),
        ("a.com\x00", "control"),
        ("a.com\tb.com", "spaces"),
        ("1.2.3.4", "IP address"),
        ("http://10.0.0.1/admin", "IP address"),
        ("1.2.3.4:80", "IP address"),
        ("127.1", "IP address"),
        ("::1", "IP address"),
        ("2001:db8::1", "IP address"),
        ("[::1]", "IP address"),
        ("[2001:db8::1]:443", "IP address"),
        ("http://[::1]:8080/", "IP address"),
        ("example.com/path", "has a path"),
        ("example.com/a/b", "example.com"),
        ("localhost", "not a full domain"),
        ("com", "not a full domain"),
        ("www.", "not a full domain"),
        ("-bad.com", "not a valid domain"),
        ("a..com", "not a valid domain"),
        (("x" * 64) + ".com", "not a valid domain"),
        ("exa$mple.com", "not a valid domain"),
        ("example.com:abc", "port must be a number"),
        ("me@example.com", "not a domain name"),
        ("http://[::1", "not a valid URL"),
        ("http://", "no host"),
    ],
)
def test_normalise_domain_refuses_with_a_clear_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidDomain, match=reason):
        normalise_domain(text)


def test_invalid_domain_is_a_value_error_and_non_strings_are_refused() -> None:
    assert issubclass(InvalidDomain, ValueError)
    with pytest.raises(InvalidDomain):
        normalise_domain(123)  # type: ignore[arg-type]


def test_normalise_domains_deduplicates_in_order() -> None:
    assert normalise_domains(["b.com", "WWW.a.com", "https://b.com/x/", "a.com."]) == [
        "b.com",
        "a.com",
    ]


def test_normalise_domains_names_every_bad_entry() -> None:
    with pytest.raises(InvalidDomain) as caught:
        normalise_domains(["ok.com", "1.2.3.4", "bad host.com"])
    assert "'1.2.3.4'" in str(caught.value)
    assert "'bad host.com'" in str(caught.value)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("Example.COM.", "example.com"),
        ("example.com:443", "example.com"),
        ("[::1]:8080", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("2001:db8::1", "2001:db8::1"),
    ],
)
def test_host_of(wire: str, expected: str) -> None:
    assert host_of(wire) == expected


def test_matcher_blocks_domain_and_subdomains_only() -> None:
    matcher = DomainMatcher(["reddit.com"])
    assert matcher.is_blocked("reddit.com")
    assert matcher.is_blocked("old.reddit.com")
    assert matcher.is_blocked("a.b.reddit.com")
    assert matcher.is_blocked("REDDIT.com.")
    assert matcher.is_blocked("reddit.com:443")
    assert not matcher.is_blocked("notreddit.com")
    assert not matcher.is_blocked("reddit.com.evil.net")
    assert not matcher.is_blocked("com")
    assert not matcher.is_blocked("")
    assert len(matcher) == 1


def test_matcher_checks_the_allowlist_first() -> None:
    matcher = DomainMatcher(["google.com"], ["docs.google.com"])
    assert matcher.is_blocked("google.com")
    assert matcher.is_blocked("mail.google.com")
    assert not matcher.is_blocked("docs.google.com")
    assert not matcher.is_blocked("a.docs.google.com")


def test_matcher_normalises_its_lists() -> None:
    matcher = DomainMatcher(["Reddit.COM."], ["Docs.Reddit.com"])
    assert matcher.is_blocked("www.reddit.com")
    assert not matcher.is_blocked("docs.reddit.com")


def test_allowlist_only_blocks_everything_else() -> None:
    matcher = DomainMatcher(allowed=["wikipedia.org"], allowlist_only=True)
    assert not matcher.is_blocked("wikipedia.org")
    assert not matcher.is_blocked("en.wikipedia.org")
    assert matcher.is_blocked("youtube.com")
    assert matcher.is_blocked("wikipedia.org.evil.net")
    assert matcher.is_blocked("8.8.8.8")
    for loopback in ("localhost", "127.0.0.1", "::1", "[::1]:8080", "localhost:3000"):
        assert not matcher.is_blocked(loopback)


def test_empty_matcher_blocks_nothing() -> None:
    assert not DomainMatcher().is_blocked("example.com")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("www.co.uk", "www.co.uk"), ("www.bbc.co.uk", "bbc.co.uk"), ("www.com.au", "www.com.au")],
)
def test_www_is_never_stripped_down_to_a_registry_suffix(text: str, expected: str) -> None:
    # Blocking "co.uk" would block a whole country's sites.
    assert normalise_domain(text) == expected
