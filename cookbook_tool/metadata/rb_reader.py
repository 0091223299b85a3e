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
    RubyRaise,
    Unknown,
    plain,
    truthy,
)
from cookbook_tool.metadata.ruby.lexer import MetadataSyntaxError, MetadataTooLarge, tokenize
from cookbook_tool.metadata.ruby.parser import (
    Assign,
    Block,
    Call,
    Case,
    Expr,
    ExprStmt,
    If,
    Lit,
    Name,
    Rescue,
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
        self.line = 1  # of the statement being run
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
            self.report("metadata-unreadable", f"evaluation stopped on line {self.line} "
                        f"({exc}): the tool reads no further, so the values set after it are "
                        "unknown; no metadata.rb needs this much work: simplify it",
                        self.line, 1)
        if isinstance(syntax, MetadataTooLarge):
            self.report("metadata-unreadable", f"line {syntax.line}: {syntax.message}, beyond "
                        "what the tool reads in a metadata.rb; it stops there, so the values "
                        "set after it are unknown: make the file smaller", syntax.line,
                        syntax.column)
        elif syntax is not None:
            self.report("metadata-syntax", f"{syntax.message}: Ruby cannot load this "
                        "metadata.rb; fix the syntax", syntax.line, syntax.column)

    def step(self, line: int) -> None:
        self.steps += 1
        self.line = line
        if self.steps > MAX_STEPS:
            raise EvaluationBudget(f"more than {MAX_STEPS} statements or loop turns")

    def run(self, statements: list[Stmt]) -> None:
        for stmt in statements:
            self.steps += 1
            self.line = stmt.line
            if self.steps > MAX_STEPS:
                raise EvaluationBudget(f"more than {MAX_STEPS} statements or loop turns")
            if isinstance(stmt, ExprStmt):
                self.statement(stmt.expr)
            elif isinstance(stmt, Assign):
                self.assign(stmt)
            elif isinstance(stmt, If):
                self.branch(stmt)
            elif isinstance(stmt, Case):
                self.case(stmt)
            elif isinstance(stmt, Rescue):
                self.rescue(stmt)
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
            self.run(stmt.body)
        elif isinstance(cond, Unknown):
            self.guarded(stmt.line, stmt.col, cond, [stmt.body, stmt.orelse])
        else:
            self.run(stmt.body if truthy(cond) != stmt.negate else stmt.orelse)

    def guarded(self, line: int, col: int, cond: Unknown, branches: list[list[Stmt]]) -> None:
        """Branches under a condition the tool cannot know (``platform?``, ``ENV``...): each
        may run, none is taken as certain; the dependencies inside are conditional."""
        self.report("metadata-conditional", f"the condition on line {line} cannot be known "
                    f"statically ({cond.reason}): the tool reads every branch and records "
                    "the `depends` inside as conditional, which the dependency rules do not "
                    "require", line, col)
        outer, self.dsl.guard = self.dsl.guard, self.dsl.guard or line
        try:
            self.each_branch(branches, line)
        finally:
            self.dsl.guard = outer

    def each_branch(self, branches: list[list[Stmt]], guard: int) -> None:
        """Run each branch from the state before the condition: a single-valued field that
        two branches set to different values is unknown (``lines["unknown:<field>"]``), not
        "set again"."""
        metadata, lines = self.dsl.metadata, self.dsl.metadata.lines
        before = {field: lines.get(field) for field in SINGLE_FIELDS}
        seen: dict[str, tuple[object, int]] = {}  # field -> (value, line) set by a branch
        conflicts: set[str] = set()
        for body in branches:
            for field, line in before.items():
                if line is None:
                    lines.pop(field, None)
                else:
                    lines[field] = line
            self.run(body)
            for field in SINGLE_FIELDS:
                if lines.get(field) != before[field]:
                    value = getattr(metadata, field)
                    if field in seen and seen[field][0] != value:
                        conflicts.add(field)
                    seen[field] = (value, lines[field])
        for field, (_, line) in seen.items():
            lines[field] = line
        for field in conflicts:
            setattr(metadata, field, None)
            lines.pop(field, None)
            lines[f"unknown:{field}"] = guard

    def case(self, stmt: Case) -> None:
        """``case``/``when``: the first ``when`` whose value matches, as far as it is known;
        from the first unknown match on, every remaining branch is conditional."""
        subject = None if stmt.subject is None else self.value(stmt.subject)
        for index, (values, body) in enumerate(stmt.whens):
            for node in values:
                matched = self.when_matches(subject, self.value(node), stmt.subject is None)
                if isinstance(matched, Unknown):
                    rest = [b for _, b in stmt.whens[index:]] + [stmt.orelse or []]
                    self.guarded(stmt.line, stmt.col, matched, rest)
                    return
                if matched:
                    self.run(body)
                    return
        self.run(stmt.orelse or [])

    @staticmethod
    def when_matches(subject: object, value: object, bare: bool) -> object:
        """Ruby's ``value === subject`` for plain values (``True``/``False``), else unknown."""
        if bare:
            return value if isinstance(value, Unknown) else truthy(value) if plain(value) \
                else Unknown("respond_to?/defined? in a `when`")
        for side in (subject, value):
            if isinstance(side, Unknown):
                return side
        if isinstance(value, str | int | float | bool) or value is None:
            return plain(subject) and subject == value and type(subject) is type(value)
        return Unknown(f"`===` of {type(value).__name__}")

    def rescue(self, stmt: Rescue) -> None:
        """``statement rescue fallback``: when the statement raises (a file it reads does not
        exist), Ruby skips the whole statement and runs the fallback instead."""
        self.rescuing += 1
        try:
            self.run([stmt.body])
            return
        except RubyRaise as exc:
            reason = exc.reason
        finally:
            self.rescuing -= 1
        fallback = stmt.fallback
        self.statement(fallback)
        body = stmt.body.expr if isinstance(stmt.body, ExprStmt) else None
        if isinstance(body, Call) and body.recv is None and body.name in DSL_METHODS and not (
                isinstance(fallback, Call) and fallback.name in DSL_METHODS):
            shown = repr(fallback.value) if isinstance(fallback, Lit) else "its value"
            self.report("metadata-rescued", f"on line {stmt.line}, {reason}: Ruby raises, and "
                        f"the `rescue` modifier skips the whole `{body.name}` statement, so "
                        f"`{body.name}` stays unset ({shown} is not given to it); to fall "
                        f"back to it, write `{body.name} (... rescue {shown})` with "
                        "parentheses, or add the file", stmt.line, stmt.col)

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
            try:
                args = [self.value(arg) for arg in call.args]
            finally:  # a `rescue` may stop the evaluation of the arguments
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
                self.step(line)
                values = item if len(params) > 1 and isinstance(item, list) else [item]
                for index, param in enumerate(params):
                    self.scope[param] = values[index] if index < len(values) else None
                self.run(block.body)
        finally:  # block parameters are local to the block; other assignments are not
            for name in params:
                self.scope.pop(name, None)
            self.scope.update(outer)
        return items
