"""Lexer and recursive-descent parser for the SOQL subset the sandbox understands.

Grammar: ``SELECT item[, item…] FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS
FIRST|LAST][, …]] [LIMIT n] [OFFSET n]`` where an item is a (dotted) field or ``COUNT()`` /
``COUNT(field)``, and conditions combine ``= != <> < <= > >= IN NOT IN LIKE`` with
AND/OR/NOT and parentheses. Literals: quoted strings with escapes, numbers, ``true``/``false``,
``null``, unquoted dates and datetimes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal as TLiteral

from .errors import SfApiError


class SoqlError(SfApiError):
    """A query the API rejects (400, MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE)."""

    def __init__(self, code: str, message: str, soql: str = "", pos: int | None = None) -> None:
        if pos is not None and soql:
            row = soql.count("\n", 0, pos) + 1
            col = pos - (soql.rfind("\n", 0, pos) + 1) + 1
            message = f"\n{soql}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n{message}"
        super().__init__(400, code, message)


LiteralKind = TLiteral["string", "number", "datetime", "date", "boolean", "null", "relative"]
RELATIVE_DATES = frozenset({"TODAY", "YESTERDAY", "TOMORROW"})


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal value in a condition, with where it starts in the query text."""

    kind: LiteralKind
    value: str | float | bool | None
    pos: int


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A (possibly dotted) field reference such as ``Account.Owner.Name``."""

    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        """The path as written."""
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class Count:
    """``COUNT()`` (field None) or ``COUNT(field)``."""

    field: FieldPath | None


@dataclass(frozen=True, slots=True)
class Compare:
    """``field op literal``; op is one of = != < <= > >= LIKE."""

    field: FieldPath
    op: str
    value: Lit


@dataclass(frozen=True, slots=True)
class InList:
    """``field [NOT] IN (literals)``."""

    field: FieldPath
    values: tuple[Lit, ...]
    negate: bool


@dataclass(frozen=True, slots=True)
class BoolOp:
    """AND / OR over two or more conditions."""

    op: TLiteral["AND", "OR"]
    items: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """NOT condition."""

    item: Cond


Cond = Compare | InList | BoolOp | Not


@dataclass(frozen=True, slots=True)
class OrderKey:
    """One ORDER BY key."""

    field: FieldPath
    descending: bool
    nulls_last: bool


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed SOQL query (``select`` may hold child-relationship subqueries)."""

    text: str
    select: tuple[FieldPath | Count | SubQuery, ...]
    sobject: str
    sobject_pos: int
    where: Cond | None
    order: tuple[OrderKey, ...]
    limit: int | None
    offset: int | None


@dataclass(frozen=True, slots=True)
class SubQuery:
    """``(SELECT … FROM ChildRelationship …)`` in a select list."""

    query: Query
    pos: int


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
   |(?P<date>\d{4}-\d{2}-\d{2}(?![\d:T]))
   |(?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))
   |(?P<string>'(?:[^'\\]|\\.)*')
   |(?P<reldate>(?i:LAST_N_DAYS|NEXT_N_DAYS|N_DAYS_AGO):\d+)
   |(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
   |(?P<op>!=|<>|<=|>=|=|<|>)
   |(?P<punct>[(),])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token: kind, text and offset."""

    kind: str
    text: str
    pos: int


def tokenize(soql: str) -> list[Token]:
    """Split a query into tokens; an unknown character is a MALFORMED_QUERY error."""
    tokens: list[Token] = []
    pos = 0
    end = len(soql.rstrip())
    while pos < end:
        m = _TOKEN.match(soql, pos)
        if m is None or m.lastgroup is None:
            start = len(soql) - len(soql[pos:].lstrip())
            raise SoqlError(
                "MALFORMED_QUERY", f"unexpected token: '{soql[start : start + 10]}'", soql, start
            )
        tokens.append(Token(m.lastgroup, m.group(m.lastgroup), m.start(m.lastgroup)))
        pos = m.end()
    tokens.append(Token("eof", "", end))
    return tokens


def unescape(body: str, soql: str, pos: int, keep_wildcards: bool = False) -> str:
    """Decode the escapes of a quoted string body (``\\%``/``\\_`` kept for LIKE)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "%_":
                out.append("\\" + nxt if keep_wildcards else nxt)
            elif nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            else:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    f"Invalid string literal '{body}'. "
                    "Illegal character sequence '\\" + nxt + "' in string literal.",
                    soql,
                    pos,
                )
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Parser:
    def __init__(self, soql: str) -> None:
        self.soql = soql
        self.tokens = tokenize(soql)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def keyword(self, *words: str) -> bool:
        tok = self.peek()
        return tok.kind == "ident" and tok.text.upper() in words

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, tok: Token | None = None) -> SoqlError:
        tok = tok or self.peek()
        text = tok.text or "<EOF>"
        return SoqlError("MALFORMED_QUERY", f"unexpected token: '{text}'", self.soql, tok.pos)

    def expect_kw(self, word: str) -> Token:
        if not self.keyword(word):
            raise self.fail()
        return self.next()

    def expect(self, kind: str, text: str | None = None) -> Token:
        tok = self.peek()
        if tok.kind != kind or (text is not None and tok.text != text):
            raise self.fail()
        return self.next()

    def field(self) -> FieldPath:
        tok = self.expect("ident")
        return FieldPath(tuple(tok.text.split(".")), tok.pos)

    def parse(self, inner: bool = False) -> Query:
        self.expect_kw("SELECT")
        select: list[FieldPath | Count | SubQuery] = [self.select_item(inner)]
        while self.peek().kind == "punct" and self.peek().text == ",":
            self.next()
            select.append(self.select_item(inner))
        self.expect_kw("FROM")
        obj = self.expect("ident")
        where = None
        if self.keyword("WHERE"):
            self.next()
            where = self.condition()
        order: list[OrderKey] = []
        if self.keyword("ORDER"):
            self.next()
            self.expect_kw("BY")
            order.append(self.order_key())
            while self.peek().kind == "punct" and self.peek().text == ",":
                self.next()
                order.append(self.order_key())
        limit = self.int_clause("LIMIT")
        offset = self.int_clause("OFFSET")
        if self.peek().kind != ("punct" if inner else "eof") or (inner and self.peek().text != ")"):
            raise self.fail()
        return Query(
            self.soql, tuple(select), obj.text, obj.pos, where, tuple(order), limit, offset
        )

    def int_clause(self, word: str) -> int | None:
        if not self.keyword(word):
            return None
        self.next()
        tok = self.expect("number")
        if not tok.text.isdigit():
            raise self.fail(tok)
        return int(tok.text)

    def select_item(self, inner: bool = False) -> FieldPath | Count | SubQuery:
        if not inner and self.peek().kind == "punct" and self.peek().text == "(":
            start = self.next()
            query = self.parse(inner=True)
            self.expect("punct", ")")
            return SubQuery(query, start.pos)
        if self.keyword("COUNT") and self.tokens[self.i + 1].text == "(":
            self.next()
            self.next()
            counted = None if self.peek().text == ")" else self.field()
            self.expect("punct", ")")
            return Count(counted)
        return self.field()

    def order_key(self) -> OrderKey:
        path = self.field()
        desc = False
        if self.keyword("ASC", "DESC"):
            desc = self.next().text.upper() == "DESC"
        nulls_last = desc
        if self.keyword("NULLS"):
            self.next()
            if not self.keyword("FIRST", "LAST"):
                raise self.fail()
            nulls_last = self.next().text.upper() == "LAST"
        return OrderKey(path, desc, nulls_last)

    def condition(self) -> Cond:
        items = [self.conjunction()]
        while self.keyword("OR"):
            self.next()
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else BoolOp("OR", tuple(items))

    def conjunction(self) -> Cond:
        items = [self.negation()]
        while self.keyword("AND"):
            self.next()
            items.append(self.negation())
        return items[0] if len(items) == 1 else BoolOp("AND", tuple(items))

    def negation(self) -> Cond:
        if self.keyword("NOT"):
            self.next()
            return Not(self.negation())
        if self.peek().text == "(" and self.peek().kind == "punct":
            self.next()
            inner = self.condition()
            self.expect("punct", ")")
            return inner
        return self.comparison()

    def comparison(self) -> Cond:
        path = self.field()
        if self.keyword("IN", "NOT"):
            negate = self.next().text.upper() == "NOT"
            if negate:
                self.expect_kw("IN")
            self.expect("punct", "(")
            values = [self.literal()]
            while self.peek().text == ",":
                self.next()
                values.append(self.literal())
            self.expect("punct", ")")
            return InList(path, tuple(values), negate)
        if self.keyword("LIKE"):
            self.next()
            tok = self.expect("string")
            return Compare(
                path,
                "LIKE",
                Lit("string", unescape(tok.text[1:-1], self.soql, tok.pos, True), tok.pos),
            )
        op = self.expect("op").text
        return Compare(path, "!=" if op == "<>" else op, self.literal())

    def literal(self) -> Lit:
        tok = self.next()
        if tok.kind == "string":
            return Lit("string", unescape(tok.text[1:-1], self.soql, tok.pos), tok.pos)
        if tok.kind == "number":
            return Lit("number", float(tok.text), tok.pos)
        if tok.kind in ("datetime", "date"):
            return Lit(tok.kind, tok.text, tok.pos)  # type: ignore[arg-type]
        if tok.kind == "reldate" or (tok.kind == "ident" and tok.text.upper() in RELATIVE_DATES):
            return Lit("relative", tok.text.upper(), tok.pos)
        if tok.kind == "ident" and tok.text.upper() in ("TRUE", "FALSE"):
            return Lit("boolean", tok.text.upper() == "TRUE", tok.pos)
        if tok.kind == "ident" and tok.text.upper() == "NULL":
            return Lit("null", None, tok.pos)
        raise self.fail(tok)


def parse(soql: str) -> Query:
    """Parse a SOQL query (syntax only; fields are checked by the evaluator)."""
    return _Parser(soql).parse()
