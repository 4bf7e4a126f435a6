"""Finds strings in Python modules that reach a reader and are not marked for translation.

A string counts as user-visible where it is: the label of a choice (TextChoices), a form or
model field's label / help_text / verbose_name, a message passed to ValidationError,
PermissionDenied, the messages framework or a DRF exception, or the "detail" of an API answer.
Marked means wrapped in gettext / gettext_lazy / ngettext (usually imported as `_`).
Used by tests/i18n/test_marked.py.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

MARKERS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "_lazy"}
MESSAGE_CALLS = {
    "ValidationError",
    "PermissionDenied",
    "success",
    "error",
    "info",
    "warning",
    "NotFound",
    "Throttled",
    "ParseError",
    "AuthenticationFailed",
    "NotAuthenticated",
    "MethodNotAllowed",
}
TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "detail"}


@dataclass(frozen=True)
class Unmarked:
    line: int
    text: str


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _texts(node: ast.AST | None) -> list[ast.Constant | ast.JoinedStr]:
    """The string literals a value is built from, unless a marker wraps them."""
    if node is None:
        return []
    if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node] if any(ch.isalpha() for ch in node.value) else []
    if isinstance(node, ast.JoinedStr):
        # f"{label} ({number})" builds a label from data: only words need a translation.
        words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return [node] if any(ch.isalpha() for ch in words) else []
    if isinstance(node, ast.BinOp):
        return _texts(node.left)
    if isinstance(node, ast.Dict):
        return [t for v in node.values for t in _texts(v)]
    if isinstance(node, ast.List | ast.Tuple):
        return [t for v in node.elts for t in _texts(v)]
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    return []


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[ast.Constant | ast.JoinedStr] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(_name(base) in {"TextChoices", "IntegerChoices"} for base in node.bases):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    self.found += _texts(statement.value.elts[-1]) if len(statement.value.elts) > 1 else []
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if _name(node.func) in MESSAGE_CALLS:
            args = node.args[1:] if _name(node.func) in {"success", "error", "info", "warning"} else node.args
            for arg in args[:1]:
                self.found += _texts(arg)
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                self.found += _texts(keyword.value)
            if keyword.arg == "choices" and isinstance(keyword.value, ast.List):
                self.found += [
                    t
                    for pair in keyword.value.elts
                    if isinstance(pair, ast.Tuple)
                    for t in _texts(pair.elts[-1])
                ]
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        # A ModelForm's Meta: labels = {...}, help_texts = {...}; choice lists kept in a constant.
        names = {target.id for target in node.targets if isinstance(target, ast.Name)}
        if names & {"labels", "help_texts"} or any(name.endswith("_CHOICES") for name in names):
            if isinstance(node.value, ast.Dict):
                self.found += [t for v in node.value.values for t in _texts(v)]
            elif isinstance(node.value, ast.List | ast.Tuple):
                self.found += [
                    t
                    for pair in node.value.elts
                    if isinstance(pair, ast.Tuple)
                    for t in _texts(pair.elts[-1])
                ]
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "detail":
                self.found += _texts(value)
        self.generic_visit(node)


def unmarked_strings(path: Path) -> list[Unmarked]:
    finder = _Finder()
    finder.visit(ast.parse(path.read_text(encoding="utf-8")))
    return [
        Unmarked(node.lineno, node.value if isinstance(node, ast.Constant) else ast.unparse(node))
        for node in finder.found
    ]
