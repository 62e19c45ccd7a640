"""Preset category files, resolve_block, and the `deepworkzone blocklists` command."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepworkzone.blocking import categories
from deepworkzone.blocking.categories import (
    CategoryFileError,
    UnknownCategory,
    available_categories,
    blocklists_dir,
    load_category,
    parse_category,
    resolve_block,
)
from deepworkzone.cli.main import main
from deepworkzone.domain.hostnames import DomainMatcher, InvalidDomain

REQUIRED = {"social-media", "video", "gaming", "news", "shopping", "gambling", "adult"}
# Sign-in, search and shared infrastructure that no preset may ever block.
PROTECTED = [
    "accounts.google.com", "google.com", "www.google.com", "mail.google.com", "drive.google.com",
    "gstatic.com", "fonts.googleapis.com", "login.microsoftonline.com", "login.live.com",
    "microsoft.com", "office.com", "outlook.office.com", "teams.microsoft.com", "live.com",
    "s3.amazonaws.com", "d1.cloudfront.net", "akamaihd.net", "apple.com", "icloud.com",
    "appleid.apple.com", "github.com", "slack.com", "zoom.us", "aws.amazon.com",
    "console.aws.amazon.com", "signin.aws.amazon.com",
]  # fmt: skip
MICROSOFT = ("microsoft.com", "live.com", "msn.com", "bing.com", "office.com", "xbox.com",
             "minecraft.net", "linkedin.com", "windows.net", "microsoftonline.com")  # fmt: skip


def test_every_required_category_ships_with_a_header() -> None:
    infos = {info.id: info for info in available_categories()}
    assert set(infos) >= REQUIRED
    for cat_id in infos:
        text = (blocklists_dir() / f"{cat_id}.txt").read_text()
        assert "# Licence:" in text and "https://" in text, cat_id
        assert "title:" in text
        assert "breaks:" in text or cat_id == "adult"
        assert infos[cat_id].domain_count >= 40, cat_id


def test_no_preset_blocks_sign_in_or_shared_infrastructure() -> None:
    cats = [load_category(info.id) for info in available_categories()]
    every = [d for cat in cats for d in cat.domains]
    matcher = DomainMatcher(every, [a for cat in cats for a in cat.allowed])
    assert [host for host in PROTECTED if matcher.is_blocked(host)] == []
    assert [d for d in every if any(d == m or d.endswith("." + m) for m in MICROSOFT)] == []


def test_category_contents_and_flags() -> None:
    social = load_category("social-media")
    assert {"facebook.com", "fbcdn.net", "fb.me", "t.co", "redd.it"} <= set(social.domains)
    video = load_category("video")
    assert {"youtube.com", "youtu.be", "ytimg.com", "googlevideo.com"} <= set(video.domains)
    assert any("YouTube" in note for note in video.notes)
    assert load_category("adult").hosts_ok is False
    assert all(load_category(c).hosts_ok for c in REQUIRED - {"adult"})
    assert "steam" in load_category("gaming").app_names
    assert not any(d.startswith("www.") for c in REQUIRED for d in load_category(c).domains)


def test_unknown_category_lists_the_valid_ids() -> None:
    with pytest.raises(UnknownCategory, match="choose from adult, gambling, gaming"):
        load_category("socialmedia")
    assert isinstance(UnknownCategory("x"), ValueError)


def test_category_file_format() -> None:
    cat = parse_category(
        "t",
        "# comment\ntitle: Test\nhosts: no\nbreaks: embeds\napp: steam\n\nWWW.Example.COM.  # x\nbücher.de\n",
    )
    assert (cat.title, cat.hosts_ok, cat.breaks, cat.app_names) == (
        "Test",
        False,
        ("embeds",),
        ("steam",),
    )
    assert cat.domains == ("example.com", "xn--bcher-kva.de")
    with pytest.raises(CategoryFileError, match=r"t.txt:2: .*spaces"):
        parse_category("t", "a.com\nb.com 1.2.3.4\n")
    assert parse_category("t", "a.com\nallow: https://b.a.com/\n").allowed == ("b.a.com",)
    with pytest.raises(CategoryFileError, match=r"t.txt:1: cannot read"):
        parse_category("t", "colour: blue\n")


def test_resolve_preset_normalises_and_checks_the_allowlist_first() -> None:
    plan = resolve_block(
        ["social-media", "adult"],
        ["HTTPS://WWW.Example.COM./", "Bücher.de", "news.example.org."],
        allow=["old.reddit.com", "https://fb.me/", "m.tiktok.com"],
    )
    assert plan.hosts_domains[:3] == ["example.com", "xn--bcher-kva.de", "news.example.org"]
    assert "fb.me" not in plan.hosts_domains and "fb.me" not in plan.proxy_domains
    # The hosts file only blocks exact names, so reddit.com stays in it with old.reddit.com
    # allowed; tiktok.com does not, as its m. variant is allowed: the proxy decides there.
    assert "reddit.com" in plan.hosts_domains and "reddit.com" in plan.proxy_domains
    assert "tiktok.com" not in plan.hosts_domains and "tiktok.com" in plan.proxy_domains
    assert "pornhub.com" in plan.proxy_domains and "pornhub.com" not in plan.hosts_domains
    matcher = DomainMatcher(plan.proxy_domains, plan.allowed)
    assert matcher.is_blocked("static.xx.fbcdn.net") and not matcher.is_blocked("old.reddit.com")
    assert matcher.is_blocked("www.reddit.com")
    assert plan.app_names == ["Discord"]
    assert any("adult: blocked by the proxy only" in n for n in plan.notes)
    assert any(n.startswith("tiktok.com: left to the proxy") for n in plan.notes)


def test_category_exceptions_join_the_allowlist() -> None:
    plan = resolve_block(["shopping"], [])
    assert "aws.amazon.com" in plan.allowed and "amazon.com" in plan.hosts_domains
    matcher = DomainMatcher(plan.proxy_domains, plan.allowed)
    assert matcher.is_blocked("www.amazon.com") and not matcher.is_blocked("console.aws.amazon.com")


def test_resolve_custom_and_allowlist_modes() -> None:
    custom = resolve_block(["social-media"], ["a.com"], mode="custom")
    assert custom.hosts_domains == custom.proxy_domains == ["a.com"] and custom.app_names == []
    only = resolve_block([], ["docs.python.org"], allow=["github.com"], mode="allowlist")
    assert only.allowlist_only and only.hosts_domains == [] and only.proxy_domains == []
    assert only.allowed == ["docs.python.org", "github.com"]
    with pytest.raises(ValueError, match="unknown mode"):
        resolve_block([], [], mode="strict")


def test_hosts_list_is_capped_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(categories, "HOSTS_DOMAIN_CAP", 10)
    plan = resolve_block(["shopping"], ["mine.com"])
    assert len(plan.hosts_domains) == 10 and plan.hosts_domains[0] == "mine.com"
    assert len(plan.proxy_domains) > 10
    assert any("exceed the hosts-file limit of 10" in n for n in plan.notes)
    assert len(resolve_block(list(REQUIRED), []).hosts_domains) <= categories.HOSTS_DOMAIN_CAP


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("a.com\n1.2.3.4 bank.com", "spaces or control characters"),
        ("1.2.3.4", "IP address"),
        ("example.com/path", "has a path"),
        ("exa mple.com", "spaces"),
        ("localhost", "full domain name"),
    ],
)
def test_bad_sites_are_rejected_with_a_clear_message(bad: str, message: str) -> None:
    with pytest.raises(InvalidDomain, match=message):
        resolve_block(["video"], [bad])
    with pytest.raises(InvalidDomain, match=message):
        resolve_block([], [], allow=[bad])


def test_cli_lists_and_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["blocklists"]) == 0
    out = capsys.readouterr().out
    assert "social-media" in out and "proxy only" in out
    count = load_category("video").info().domain_count
    assert f"{count} domains" in out
    assert main(["blocklists", "show", "video"]) == 0
    shown = capsys.readouterr().out
    assert "youtube.com\n" in shown and "may also break" in shown
    assert main(["blocklists", "show", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "choose from" in err


_SITE = st.from_regex(r"(www\.|m\.|old\.)?[a-z]{1,8}\.(com|org|tv)", fullmatch=True)
_CATEGORY_IDS = sorted(REQUIRED)


@settings(max_examples=150, deadline=None)
@given(
    cats=st.lists(st.sampled_from(_CATEGORY_IDS), max_size=4),
    urls=st.lists(_SITE, max_size=6),
    allow=st.lists(_SITE, max_size=4),
)
def test_plan_invariants(cats: list[str], urls: list[str], allow: list[str]) -> None:
    plan = resolve_block(cats, urls, allow)
    allowed = DomainMatcher(plan.allowed)
    assert len(plan.hosts_domains) <= categories.HOSTS_DOMAIN_CAP
    assert set(plan.hosts_domains) <= set(plan.proxy_domains)
    for domain in plan.hosts_domains:
        # Nothing the hosts file would block (the domain, www., m.) is an allowed site.
        assert not any(allowed.is_blocked(v + domain) for v in ("", "www.", "m."))
    assert not any(allowed.is_blocked(d) for d in plan.proxy_domains)
    assert "pornhub.com" not in plan.hosts_domains
