"""The static site of scenario 8: N HTML files for nginx, page K at /site/page/K.html.

  site_gen.py DIRECTORY N BASE_URL     writes DIRECTORY/site/page/0.html … (N-1).html

Each page is about 1 KB with 14 links to other pages of the site, the same for a given N and
BASE_URL every time (no randomness): the tree links 2K+1 and 2K+2 (so every page is reachable from
page 0, at depth ⌊log2(K+1)⌋), then 12 more chosen by a fixed hash of (K, j). The links take four
forms in turn — `5.html`, `./5.html`, `/site/page/5.html` and `BASE_URL/site/page/5.html` — so a
crawler has to resolve relative and absolute forms to the same URL to fetch each page once.
"""
import sys
from pathlib import Path

LINKS_PER_PAGE = 14
FILLER = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
          "incididunt ut labore et dolore magna aliqua. ")


def page_path(k):
    return f"/site/page/{k}.html"


def links(k, n):
    """The pages page K links to (with repeats when N is tiny), tree links first."""
    out = [c for c in (2 * k + 1, 2 * k + 2) if c < n]
    j = 0
    while len(out) < LINKS_PER_PAGE and n > 1:
        # A fixed multiplicative hash of (k, j): spread over the whole site, never random.
        target = (k * 2654435761 + (j + 1) * 40503 + j * j * 977) % n
        j += 1
        if target != k:
            out.append(target)
    return out


def href(target, form, base_url):
    if form == 0:
        return f"{target}.html"
    if form == 1:
        return f"./{target}.html"
    if form == 2:
        return page_path(target)
    return base_url + page_path(target)


def page(k, n, base_url):
    items = "".join(f'<li><a href="{href(t, i % 4, base_url)}">Page {t}</a></li>\n'
                    for i, t in enumerate(links(k, n)))
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Page {k}</title></head>\n"
            f"<body><h1>Page {k} of {n}</h1>\n<p>{FILLER}</p>\n<ul>\n{items}</ul>\n"
            f"<p>{FILLER[:160]}</p></body></html>\n")


def write_site(directory, n, base_url):
    """Writes the N pages under DIRECTORY/site/page/; returns the seed's path (page 0)."""
    folder = Path(directory) / "site" / "page"
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        (folder / f"{k}.html").write_text(page(k, n, base_url))
    return page_path(0)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    write_site(sys.argv[1], int(sys.argv[2]), sys.argv[3].rstrip("/"))


if __name__ == "__main__":
    main()
