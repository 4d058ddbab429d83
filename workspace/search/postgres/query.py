"""Search query text -> a PostgreSQL tsquery expression, for `workspace/search/postgres/backend.py`.

The syntax is the subset of Whoosh's that docs/search.md promises, read the way Whoosh
reads it: words (stemmed by PostgreSQL's `english` configuration), `"quoted phrases"`,
`AND`, `OR`, `NOT` (upper case; lower-case "and"/"or" are words), parentheses, and
`title:` / `body:` before a word, a phrase or a bracket. Explicit operators bind tighter
than words side by side (`heat OR pump boiler` is `(heat OR pump) AND boiler`), `AND`
tighter than `OR`, and a dangling operator is ignored. Any other punctuation is left to
PostgreSQL's parser, which treats it as a separator.

Nothing the person typed becomes SQL: each word or phrase is a bound parameter handed to
`plainto_tsquery` / `phraseto_tsquery`, and the units are combined with the tsquery
operators `&&`, `||` and `!!` in SQL we write. A field restriction marks every lexeme of
PostgreSQL's own output for the unit with the field's weight (title A, body B).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from workspace.search import (
    NO_PROXIMITY,
    NO_WORDS,
    QueryError,
    check_query_text,
)

CONFIG = "english"
FIELD_WEIGHTS = {"title": "A", "body": "B"}
OPERATORS = {"AND", "OR", "NOT"}
# A lexeme in tsquery's text output: quoted, with quotes inside doubled.
LEXEME = "'(?:[^']|'')*'"


# -- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, PHRASE, FIELD, AND, OR, NOT, LP, RP
    text: str = ""


def tokenize(text: str) -> list[Token]:
    check_query_text(text)  # quotes and brackets are balanced from here on
    text = text.replace("\x00", " ")  # PostgreSQL text cannot hold NUL
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == '"':
            end = text.index('"', i + 1)
            tokens.append(Token("PHRASE", text[i + 1 : end]))
            i = end + 1
            if text[i : i + 1] == "~":
                # Whoosh's proximity syntax ("a b"~3): say so rather than search for "3".
                raise QueryError(NO_PROXIMITY)
        elif char in "()":
            tokens.append(Token("LP" if char == "(" else "RP"))
            i += 1
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] not in '"()':
                end += 1
            word = text[i:end]
            name, colon, rest = word.partition(":")
            if colon and name in FIELD_WEIGHTS and (rest or (end < n and text[end] in '"(')):
                # `title:heat`, `title:"..."`, `title:(...)`; a bare `title:` is a word.
                tokens.append(Token("FIELD", name))
                end = i + len(name) + 1
            elif word in OPERATORS:
                tokens.append(Token(word))
            else:
                tokens.append(Token("WORD", word))
            i = end
    return tokens


# -- the tree -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    text: str
    phrase: bool = False
    field: str | None = None


@dataclass(frozen=True)
class Node:
    op: str  # AND, OR, NOT
    children: tuple[Query, ...]


Query = Unit | Node


def _join(op: str, parts: list[Query | None]) -> Query | None:
    kept = [p for p in parts if p is not None]
    if len(kept) <= 1:
        return kept[0] if kept else None
    return Node(op, tuple(kept))


@dataclass
class _Parser:
    tokens: list[Token]
    at: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.at].kind if self.at < len(self.tokens) else None

    def take(self) -> Token:
        self.at += 1
        return self.tokens[self.at - 1]

    def sequence(self, fld: str | None) -> Query | None:
        """Units side by side, up to a closing bracket or the end: all must match."""
        parts: list[Query | None] = []
        while self.peek() not in (None, "RP"):
            parts.append(self.either(fld))
        return _join("AND", parts)

    def either(self, fld: str | None) -> Query | None:
        return self._chain("OR", self.both, fld)

    def both(self, fld: str | None) -> Query | None:
        return self._chain("AND", self.unary, fld)

    def _chain(
        self, op: str, operand: Callable[[str | None], Query | None], fld: str | None
    ) -> Query | None:
        """Operands joined by `op` (OR of ANDs of unaries: AND binds tighter)."""
        parts = [operand(fld)]
        while self.peek() == op:
            self.take()
            parts.append(operand(fld))
        return _join(op, parts)

    def unary(self, fld: str | None) -> Query | None:
        if self.peek() == "NOT":
            self.take()
            inner = self.unary(fld)
            return Node("NOT", (inner,)) if inner is not None else None
        return self.atom(fld)

    def atom(self, fld: str | None) -> Query | None:
        kind = self.peek()
        if kind in (None, "RP", "OR", "AND"):
            if kind in ("OR", "AND"):  # dangling: "AND heat", "heat AND AND pump"
                self.take()
            return None
        token = self.take()
        if token.kind == "FIELD":
            if self.peek() in ("WORD", "PHRASE", "LP"):
                return self.atom(token.text)
            return None
        if token.kind == "LP":
            inner = self.sequence(fld)
            if self.peek() == "RP":
                self.take()
            return inner
        if not token.text.strip():
            return None  # ""
        return Unit(token.text, phrase=token.kind == "PHRASE", field=fld)


def parse(text: str) -> Query:
    """The query tree, or QueryError for what cannot be searched."""
    tree = _Parser(tokenize(text)).sequence(None)
    if tree is None:
        raise QueryError(NO_WORDS)
    return tree


# -- SQL ------------------------------------------------------------------------------------


@dataclass
class TsQuery:
    """A SQL expression of type tsquery and its bound parameters."""

    sql: str
    params: dict[str, object] = field(default_factory=dict)


def translate(text: str) -> TsQuery:
    out = TsQuery("")
    out.sql = _sql(parse(text), out.params)
    return out


def _sql(node: Query, params: dict[str, object]) -> str:
    if isinstance(node, Unit):
        name = f"t{sum(key.startswith('t') for key in params)}"
        params[name] = node.text
        function = "phraseto_tsquery" if node.phrase else "plainto_tsquery"
        unit = f"{function}('{CONFIG}', :{name})"
        if node.field is None:
            return unit
        params.setdefault("lexeme", LEXEME)
        weight = f"w{FIELD_WEIGHTS[node.field]}"
        params.setdefault(weight, "\\&:" + FIELD_WEIGHTS[node.field])
        # PostgreSQL's own output for the unit, each lexeme given the field's weight;
        # CAST (not to_tsquery) so the lexemes are not normalised a second time.
        return f"CAST(regexp_replace(CAST({unit} AS text), :lexeme, :{weight}, 'g') AS tsquery)"
    if node.op == "NOT":
        return f"(!! {_sql(node.children[0], params)})"
    joiner = " && " if node.op == "AND" else " || "
    return "(" + joiner.join(_sql(child, params) for child in node.children) + ")"
