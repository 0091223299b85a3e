"""The cookbook metadata DSL (``name``, ``depends``, ...) applied to evaluated arguments.

Chef's semantics: a single-valued field set twice keeps the last value; ``depends 'x'`` without
constraint means any version; more than one constraint is refused; ``recipe`` takes a name and a
description; ``attribute`` a name and a hash of options.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cookbook_tool.cookbook.constraints import Constraint, ConstraintError
from cookbook_tool.cookbook.model import Dependency, Metadata
from cookbook_tool.findings import Severity

RULES: dict[str, Severity] = {
    "metadata-syntax": Severity.ERROR,
    "metadata-dynamic": Severity.WARNING,
    "metadata-unknown-method": Severity.WARNING,
    "metadata-missing-file": Severity.ERROR,
    "metadata-invalid-constraint": Severity.ERROR,
    "metadata-invalid-argument": Severity.ERROR,
    "metadata-json-invalid": Severity.ERROR,
    "metadata-duplicate": Severity.WARNING,
    "metadata-unreadable": Severity.ERROR,
    "metadata-read-outside-cookbook": Severity.ERROR,
    "metadata-rescued": Severity.WARNING,
    "metadata-conditional": Severity.WARNING,
}
SINGLE_FIELDS = ("name", "version", "maintainer", "maintainer_email", "license", "description",
                 "long_description", "issues_url", "source_url")
RELATED_FIELDS = ("recommends", "suggests", "conflicts", "replaces")
DSL_METHODS = (*SINGLE_FIELDS, *RELATED_FIELDS, "privacy", "chef_version", "ohai_version",
               "supports", "depends", "recipe", "provides", "gem", "attribute", "grouping",
               "eager_load_libraries")
ANY_VERSION = ">= 0.0.0"
CONDITIONAL = "conditional:depends:"  # Metadata.lines key prefix: a `depends` under a guard
_PLATFORM_CONSTRAINT = re.compile(r"\s*(?:(?:~>|>=|<=|=|>|<)\s*)?\d+(?:\.\d+){0,2}\s*")

Report = Callable[[str, str, int, int], None]  # rule, message, line, column
Value = object


def conditional_dependencies(metadata: Metadata) -> dict[str, int]:
    """The dependencies declared only inside a branch the tool cannot decide (``if platform?
    'windows'``, ``case node['platform']``): name -> line of the condition. A dependency rule
    should not report them missing (Chef needs them only where the branch runs)."""
    return {key[len(CONDITIONAL):]: line for key, line in metadata.lines.items()
            if key.startswith(CONDITIONAL)}


def ruby_type(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    names = {str: "a String", int: "an Integer", float: "a Float", list: "an Array",
             dict: "a Hash", type(None): "nil"}
    return names.get(type(value), type(value).__name__)


class MetadataBuilder:
    """Applies DSL calls to a :class:`Metadata`, reporting what Chef would refuse."""

    def __init__(self, metadata: Metadata, report: Report, folder: str) -> None:
        self.metadata = metadata
        self.report = report
        self.folder = folder  # replaces the __FILE__ placeholder in stored strings
        self.guard = 0  # line of the unknown condition the calls are under (0: none)
        self.methods: dict[str, Callable[[str, list[Value], int, int], None]] = {
            **dict.fromkeys(SINGLE_FIELDS, self.single),
            **dict.fromkeys(RELATED_FIELDS, self.related),
            "provides": self.related, "privacy": self.privacy,
            "chef_version": self.versions, "ohai_version": self.versions,
            "supports": self.supports, "depends": self.depends, "recipe": self.recipe,
            "gem": self.gem, "attribute": self.attribute, "grouping": self.grouping,
            "eager_load_libraries": self.ignored,
        }

    def call(self, name: str, args: list[Value], line: int, col: int) -> None:
        self.methods[name](name, args, line, col)

    def invalid(self, message: str, line: int, col: int) -> None:
        self.report("metadata-invalid-argument", message, line, col)

    def mark(self, field: str, line: int, key: str | None = None) -> None:
        lines = self.metadata.lines
        if key is None:
            lines[field] = line
            return
        lines.setdefault(field, line)
        entry = f"{field}:{key}"
        if entry in lines:
            self.report("metadata-duplicate", f"{field} entry {key!r} is set again (first on "
                        f"line {lines[entry]}); the last one wins, as in Chef", line, 1)
        lines[entry] = line

    def arity(self, name: str, args: list[Value], low: int, high: int, line: int,
              col: int) -> bool:
        if low <= len(args) <= high:
            return True
        wanted = str(low) if low == high else f"{low} to {high}"
        self.invalid(f"`{name}` takes {wanted} argument(s), got {len(args)}", line, col)
        return False

    def text(self, name: str, what: str, value: Value, line: int, col: int) -> str | None:
        if isinstance(value, str):
            return value
        self.invalid(f"the {what} of `{name}` must be a String, got {ruby_type(value)}",
                     line, col)
        return None

    def single(self, name: str, args: list[Value], line: int, col: int) -> None:
        if not args or args == [None]:
            return  # the getter: Chef's `version(arg = nil)` only reads when given nil
        if not self.arity(name, args, 1, 1, line, col):
            return
        value = args[0]
        if name == "version" and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # Chef turns the value into a string
        checked = self.text(name, "value", value, line, col)
        if checked is None:
            return
        if name in self.metadata.lines:
            self.report("metadata-duplicate", f"`{name}` is set again (first on line "
                        f"{self.metadata.lines[name]}); the last value wins, as in Ruby",
                        line, col)
        setattr(self.metadata, name, checked.replace("\ue000", self.folder))
        self.mark(name, line)

    def privacy(self, name: str, args: list[Value], line: int, col: int) -> None:
        if not args or args == [None] or not self.arity(name, args, 1, 1, line, col):
            return
        if not isinstance(args[0], bool):
            self.invalid(f"`privacy` must be true or false, got {ruby_type(args[0])}", line, col)
            return
        if name in self.metadata.lines:
            self.report("metadata-duplicate", f"`privacy` is set again (first on line "
                        f"{self.metadata.lines[name]}); the last value wins", line, col)
        self.metadata.privacy = args[0]
        self.mark(name, line)

    def versions(self, name: str, args: list[Value], line: int, col: int) -> None:
        target = self.metadata.chef_version if name == "chef_version" else \
            self.metadata.ohai_version
        for arg in args:
            value = self.text(name, "version requirement", arg, line, col)
            if value is not None:
                target.append(value)
        if args:
            self.metadata.lines.setdefault(name, line)

    def constraint(self, method: str, target: str, rest: list[Value], line: int,
                   col: int) -> tuple[Constraint, str | None]:
        """The one optional version constraint after a cookbook name, as Chef checks it."""
        if not rest:
            return Constraint.any(), None
        if len(rest) > 1:
            joined = ", ".join(str(r) for r in rest)
            self.report("metadata-invalid-constraint", f"`{method} {target!r}` has {len(rest)} "
                        f"version constraints ({joined}); Chef accepts one, such as '~> 1.2'",
                        line, col)
            return Constraint.any(), joined
        raw = rest[0]
        if not isinstance(raw, str):
            self.report("metadata-invalid-constraint", f"the constraint of `{method} "
                        f"{target!r}` must be a String such as '>= 1.0', got {ruby_type(raw)}",
                        line, col)
            return Constraint.any(), str(raw)
        try:
            return Constraint.parse(raw), raw
        except ConstraintError as exc:
            self.report("metadata-invalid-constraint", f"`{method} {target!r}`: {exc}",
                        line, col)
            return Constraint.any(), raw

    def target(self, name: str, args: list[Value], line: int, col: int) -> str | None:
        if not args:
            self.invalid(f"`{name}` needs a cookbook or platform name", line, col)
            return None
        return self.text(name, "name", args[0], line, col)

    def depends(self, name: str, args: list[Value], line: int, col: int) -> None:
        cookbook = self.target(name, args, line, col)
        if cookbook is None:
            return
        constraint, raw = self.constraint(name, cookbook, args[1:], line, col)
        dependency = Dependency(cookbook, constraint, line, raw)
        self.conditional(cookbook)
        deps = self.metadata.depends
        for index, old in enumerate(deps):
            if old.name == cookbook:
                self.report("metadata-duplicate", f"`depends {cookbook!r}` is declared again "
                            f"(first on line {old.line}); the last one wins, as in Chef",
                            line, col)
                deps[index] = dependency
                break
        else:
            deps.append(dependency)
        self.metadata.lines.setdefault("depends", line)

    def conditional(self, cookbook: str) -> None:
        """Mark a dependency declared only under unknown conditions (``lines[CONDITIONAL +
        name]`` = the line of the condition); one unconditional `depends` clears it."""
        key, lines = CONDITIONAL + cookbook, self.metadata.lines
        known = any(d.name == cookbook for d in self.metadata.depends)
        if not self.guard:
            lines.pop(key, None)
        elif key in lines or not known:
            lines[key] = self.guard

    def related(self, name: str, args: list[Value], line: int, col: int) -> None:
        cookbook = self.target(name, args, line, col)
        if cookbook is None:
            return
        _, raw = self.constraint(name, cookbook, args[1:], line, col)
        if name == "provides":
            if cookbook not in self.metadata.provides:
                self.metadata.provides.append(cookbook)
            self.metadata.lines.setdefault(name, line)
            return
        table: dict[str, str] = getattr(self.metadata, name)
        self.mark(name, line, cookbook)
        table[cookbook] = raw if raw is not None else ANY_VERSION

    def supports(self, name: str, args: list[Value], line: int, col: int) -> None:
        platform = self.target(name, args, line, col)
        if platform is None:
            return
        raw: Value = args[1] if len(args) == 2 else ANY_VERSION
        if len(args) > 2:
            self.report("metadata-invalid-constraint", f"`supports {platform!r}` has "
                        f"{len(args) - 1} version constraints; Chef accepts one", line, col)
        elif not isinstance(raw, str) or not _PLATFORM_CONSTRAINT.fullmatch(raw):
            self.report("metadata-invalid-constraint", f"`supports {platform!r}`: invalid "
                        f"platform version constraint {raw!r}: use an operator and a version "
                        "such as '>= 14.04'", line, col)
        else:
            self.mark("supports", line, platform)
            self.metadata.supports[platform] = raw

    def recipe(self, name: str, args: list[Value], line: int, col: int) -> None:
        if not self.arity(name, args, 2, 2, line, col):
            return
        recipe = self.text(name, "name", args[0], line, col)
        description = self.text(name, "description", args[1], line, col)
        if recipe is not None and description is not None:
            self.mark("recipes", line, recipe)
            self.metadata.recipes[recipe] = description

    def gem(self, name: str, args: list[Value], line: int, col: int) -> None:
        texts = [self.text(name, "argument", arg, line, col) for arg in args]
        if args and all(t is not None for t in texts):
            self.metadata.gems.append([t for t in texts if t is not None])
            self.metadata.lines.setdefault("gems", line)

    def attribute(self, name: str, args: list[Value], line: int, col: int) -> None:
        if not self.arity(name, args, 2, 2, line, col):
            return
        key = self.text(name, "name", args[0], line, col)
        options = args[1]
        if not isinstance(options, dict):
            self.invalid(f"the options of `attribute` must be a Hash, got {ruby_type(options)}",
                         line, col)
            return
        if key is not None:
            self.mark("attributes", line, key)
            self.metadata.attributes[key] = {str(k): v for k, v in options.items()}

    def grouping(self, name: str, args: list[Value], line: int, col: int) -> None:
        if self.arity(name, args, 2, 2, line, col):
            self.text(name, "name", args[0], line, col)

    def ignored(self, name: str, args: list[Value], line: int, col: int) -> None:
        """Accepted by Chef, not kept in the model."""
