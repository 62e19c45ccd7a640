"""``deepworkzone blocklists``: the preset categories, and one category's domains."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "blocklists",
        help="list the preset website categories",
        description="List the preset categories with their domain counts, or show one.",
    )
    parser.set_defaults(func=_list)
    inner = parser.add_subparsers(title="actions", metavar="ACTION", parser_class=type(parser))
    show = inner.add_parser("show", help="show one category's domains, apps and notes")
    show.add_argument("category", metavar="CAT", help="category id, e.g. social-media")
    show.set_defaults(func=_show)


def _list(args: argparse.Namespace) -> int:
    from deepworkzone.engine.catalog import categories

    infos = categories()
    width = max(len(info.id) for info in infos)
    for info in infos:
        method = "hosts+proxy" if info.hosts_ok else "proxy only"
        apps = f", closes {', '.join(info.app_names)}" if info.app_names else ""
        print(
            f"{info.id:<{width}}  {info.domain_count:>5} domains  {method:<11}  {info.title}{apps}"
        )
    print("\nshow one: deepworkzone blocklists show CAT")
    return 0


def _show(args: argparse.Namespace) -> int:
    from deepworkzone.engine.catalog import category

    cat = category(args.category)
    print(f"# {cat.title} ({cat.id}): {len(cat.domains)} domains, each with its subdomains")
    if not cat.hosts_ok:
        print("# proxy only: never written to the hosts file")
    for note in cat.breaks:
        print(f"# may also break: {note}")
    if cat.app_names:
        print(f"# apps closed: {', '.join(cat.app_names)}")
    for domain in cat.domains:
        print(domain)
    return 0
