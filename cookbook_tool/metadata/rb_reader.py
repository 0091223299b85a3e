"""Read ``metadata.rb`` without Ruby: tokenize, parse, then evaluate the DSL statically.

What cannot be known without running Ruby becomes a finding with file and line, never an
exception. ``File.read``/``IO.read`` of files in the cookbook (``README.md``, ``VERSION``) are
evaluated by reading the file from the cookbook's files (a folder on disk, or a cookbook inside an
archive: ``metadata.files``).
"""

from __future__ import annotations

from pathlib import Path

from cookbook_tool.cookbook.model import Metadata
from cookbook_tool.findings import Finding
from cookbook_tool.metadata.dsl import DSL_METHODS, RULES, SINGLE_FIELDS, MetadataBuilder
from cookbook_tool.metadata.files import CookbookFiles
from cookbook_tool.metadata.ruby.evaluate import (
    ASSUMED,
    EvaluationBudget,
    ExprEvaluator,
    Unknown,
    truthy,
)
from cookbook_tool.metadata.ruby.lexer import MetadataSyntaxError, tokenize
from cookbook_tool.metadata.ruby.parser import (
    Assign,
    Block,
    Call,
    Expr,
    ExprStmt,
    If,
    Name,
    Skip,
    Stmt,
    parse,
)
from cookbook_tool.text import mask_aws_key_ids

__all__ = ["MetadataSyntaxError", "parse_metadata_rb"]

MAX_STEPS = 20_000
_RUBY_LOADERS = ("require", "require_relative", "load")


def parse_metadata_rb(text: str, path: Path, files: CookbookFiles,
                      ) -> tuple[Metadata, list[Finding]]:
    """The metadata that ``text`` (the contents of ``path``) declares, and the findings;
    ``files`` are the cookbook's files that metadata.rb may read.

    Never raises: broken or dynamic Ruby is reported as findings.
    """
    reader = _Reader(path, files)
    try:
        reader.read(text)
    except (RecursionError, MemoryError):
        reader.report("metadata-syntax", "this metadata.rb is too deeply nested or too large "
                      "to read; simplify it", 1, 1)
    except Exception as exc:  # a bug of the reader must not stop a validation run
        reader.report("metadata-syntax", f"internal error of the metadata reader "
                      f"({type(exc).__name__}: {exc}); please report it with this file", 1, 1)
    return reader.dsl.metadata, reader.findings


class _Reader(ExprEvaluator):
    def __init__(self, path: Path, files: CookbookFiles) -> None:
        super().__init__(path.name, files)
        self.file = path.as_posix()
        self.cookbook = files.name or None
        self.findings: list[Finding] = []
        self.dsl = MetadataBuilder(Metadata(source=path), self.report, files.show(""))
        self.steps = 0
        self.reported: set[tuple[str, int, int, str]] = set()

    def report(self, rule: str, message: str, line: int, col: int) -> None:
        key = (rule, line, col, message)
        if key not in self.reported:  # a statement in a loop reports its problem once
            self.reported.add(key)
            self.findings.append(Finding(self.file, line, col, rule, RULES[rule],
                                         mask_aws_key_ids(message), self.cookbook))

    def getter(self, name: str) -> object:
        if name in SINGLE_FIELDS and name in self.dsl.metadata.lines:
            return getattr(self.dsl.metadata, name)
        return None

    def read(self, text: str) -> None:
        tokens, lex_error = tokenize(text.removeprefix("\ufeff"))
        statements, syntax = parse(tokens, lex_error)
        try:
            self.run(statements)
        except EvaluationBudget as exc:
            self.report("metadata-dynamic", f"evaluation stopped ({exc}): the rest of "
                        "metadata.rb is ignored", 1, 1)
        if syntax is not None:
            self.report("metadata-syntax", f"{syntax.message}: Ruby cannot load this "
                        "metadata.rb; fix the syntax", syntax.line, syntax.column)

    def run(self, statements: list[Stmt]) -> None:
        for stmt in statements:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise EvaluationBudget(f"more than {MAX_STEPS} statements run")
            if isinstance(stmt, ExprStmt):
                self.statement(stmt.expr)
            elif isinstance(stmt, Assign):
                self.assign(stmt)
            elif isinstance(stmt, If):
                self.branch(stmt)
            elif isinstance(stmt, Skip):
                self.report("metadata-dynamic", f"{stmt.reason} on line {stmt.line} cannot be "
                            "evaluated without Ruby; the tool ignores this statement",
                            stmt.line, stmt.col)

    def assign(self, stmt: Assign) -> None:
        if stmt.op == "=":
            self.scope[stmt.name] = self.value(stmt.value)
            return
        old = self.scope.get(stmt.name)
        if stmt.op == "||=":
            self.scope[stmt.name] = old if truthy(old) else self.value(stmt.value)
        elif stmt.op == "&&=":
            self.scope[stmt.name] = self.value(stmt.value) if truthy(old) else old
        else:
            self.scope[stmt.name] = self.binop(stmt.op[0], old, self.value(stmt.value))

    def branch(self, stmt: If) -> None:
        cond = self.value(stmt.cond)
        if cond is ASSUMED:
            taken = True
        elif isinstance(cond, Unknown):
            taken = True
            if not cond.reported:
                self.report("metadata-dynamic", f"the condition on line {stmt.line} cannot be "
                            f"evaluated statically ({cond.reason}); the tool assumes it is "
                            "true", stmt.line, stmt.col)
        else:
            taken = truthy(cond) != stmt.negate
        self.run(stmt.body if taken else stmt.orelse)

    def statement(self, expr: Expr) -> None:
        if isinstance(expr, Name) and expr.name not in self.scope:
            expr = Call(expr.line, expr.col, None, expr.name, [], None)
        if isinstance(expr, Call) and expr.recv is None:
            self.command(expr)
            return
        value = self.value(expr)
        if isinstance(value, Unknown) and not value.reported:
            self.report("metadata-dynamic", f"the statement on line {expr.line} cannot be "
                        f"evaluated statically ({value.reason}); the tool ignores it",
                        expr.line, expr.col)

    def command(self, call: Call) -> None:
        name = call.name
        if name in DSL_METHODS:
            self.field = name
            args = [self.value(arg) for arg in call.args]
            self.field = ""
            odd = next((a for a in args if isinstance(a, Unknown) or a is ASSUMED), None)
            unknown = odd if isinstance(odd, Unknown) or odd is None else Unknown(
                "respond_to?/defined? used as a value")
            if unknown is None:
                self.dsl.call(name, args, call.line, call.col)
                return
            # set, but to a value the tool cannot know: rules can tell this from "missing"
            self.dsl.metadata.lines[f"unknown:{name}"] = call.line
            if not unknown.reported:
                self.report("metadata-dynamic", f"the value of `{name}` on line {call.line} "
                            f"cannot be evaluated statically ({unknown.reason}); the tool "
                            f"ignores this `{name}`", call.line, call.col)
        elif name in _RUBY_LOADERS:
            self.report("metadata-dynamic", f"`{name}` on line {call.line} loads Ruby code "
                        "that the tool does not run; values it defines are unknown",
                        call.line, call.col)
        elif name not in ("respond_to?", "defined?"):
            self.unknown_method(call)

    def unknown_method(self, call: Call) -> None:
        from cookbook_tool.text import closest  # only when there is a typo

        match = closest(call.name, DSL_METHODS)
        hint = f"did you mean `{match}`? " if match else ""
        self.report("metadata-unknown-method", f"`{call.name}` on line {call.line} is not a "
                    f"metadata method: {hint}The tool ignores it", call.line, call.col)

    def each(self, items: object, block: Block | None, line: int) -> object:
        if block is None:
            return Unknown(f"`.each` without a block on line {line}")
        if isinstance(items, dict):
            items = [[k, v] for k, v in items.items()]
        if not isinstance(items, list):
            return Unknown(f"`.each` on {type(items).__name__} on line {line}")
        params = block.params
        outer = {name: self.scope[name] for name in params if name in self.scope}
        try:
            for item in items:
                values = item if len(params) > 1 and isinstance(item, list) else [item]
                for index, param in enumerate(params):
                    self.scope[param] = values[index] if index < len(values) else None
                self.run(block.body)
        finally:  # block parameters are local to the block; other assignments are not
            for name in params:
                self.scope.pop(name, None)
            self.scope.update(outer)
        return items
