"""Comment text: light Markdown (emphasis, lists, links) rendered on the server and sanitised.

Raw HTML in a comment is never interpreted: markdown-it escapes it, and nh3 removes anything
outside the small allowed set, so a `<script>` in a body is shown as text and stays inert.
"""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "ul", "ol", "li", "a", "code", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_REL = "nofollow ugc noopener"

# CommonMark without raw HTML, images, headings or tables: comments are prose, not pages.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "heading", "lheading", "html_block", "html_inline", "fence", "code", "hr", "reference", "table"]
)


def comment_html(source: str) -> str:
    return nh3.clean(
        _markdown.render(source),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        link_rel=LINK_REL,
        url_schemes={"http", "https", "mailto"},
    )
