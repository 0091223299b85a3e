"""Static evaluation of the Ruby expressions found in ``metadata.rb``.

Values are plain Python data (str, int, float, bool, None, list, dict). What only Ruby could
compute is an :class:`Unknown` carrying the reason. ``respond_to?``/``defined?`` evaluate to
:data:`ASSUMED`: a condition built on them is taken as true (metadata.rb files use them to stay
compatible with older Chef versions).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from cookbook_tool.metadata.files import (
    CookbookFiles,
    FileUnavailable,
    OutsideCookbook,
    leaves_folder,
)
from cookbook_tool.metadata.ruby.parser import (
    Array,
    Block,
    Call,
    Chain,
    Const,
    Expr,
    HashLit,
    Index,
    Lit,
    Name,
    Opaque,
    RescueExpr,
    Shell,
    Str,
    Unary,
)

COOKBOOK = "\ue000"  # stands for the cookbook folder in paths built from __FILE__
MAX_TEXT = 4_000_000
MAX_WORK = 20_000_000  # characters produced by operators, over the whole file
MAX_NUMBER = 10**100
MAX_RANGE = 10_000  # elements of a range turned into a list
_STR_METHODS: dict[str, Callable[[str], str]] = {
    "strip": str.strip, "chomp": lambda s: s.removesuffix("\n").removesuffix("\r"),
    "lstrip": str.lstrip, "rstrip": str.rstrip, "downcase": str.lower, "upcase": str.upper,
    "to_s": str, "to_str": str, "to_sym": str, "freeze": str, "dup": str,
}


class Unknown:
    """A value only Ruby could compute, and why."""

    __slots__ = ("reason", "reported")

    def __init__(self, reason: str, reported: bool = False) -> None:
        self.reason = reason
        self.reported = reported  # a finding was already made for it


class EvaluationBudget(Exception):
    """Evaluation did more work than any metadata.rb needs (a loop gone wild)."""


class RubyRaise(Exception):
    """What makes Ruby raise (a file that does not exist), inside a ``rescue``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Assumed:
    def __repr__(self) -> str:
        return "ASSUMED"


ASSUMED = _Assumed()


def truthy(value: object) -> bool:
    return value is not None and value is not False


def plain(value: object) -> bool:
    return not isinstance(value, Unknown | _Assumed)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_unknown(value: object) -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Unknown("respond_to?/defined? used as a value")


def logic(left: object, right: object) -> object:
    for side in (left, right):
        if isinstance(side, Unknown):
            return side
    if ASSUMED in (left, right):
        return ASSUMED
    return right


def operate(op: str, left: object, right: object) -> object:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    both_numbers = is_number(left) and is_number(right)
    try:
        if op == "+" and (both_numbers or (type(left) is type(right) and isinstance(
                left, str | list))):
            result = left + right  # type: ignore[operator]
        elif op in ("<", ">", "<=", ">=") and (both_numbers or (
                isinstance(left, str) and isinstance(right, str))):
            result = {"<": left < right, ">": left > right,  # type: ignore[operator]
                      "<=": left <= right, ">=": left >= right}[op]  # type: ignore[operator]
        elif both_numbers and op in ("-", "*"):
            result = left - right if op == "-" else left * right  # type: ignore[operator]
        elif both_numbers and op == "**":
            return power(left, right)  # type: ignore[arg-type]
        elif op in ("..", "...") and isinstance(left, int) and isinstance(right, int) and not (
                isinstance(left, bool) or isinstance(right, bool)):
            stop = right + (1 if op == ".." else 0)
            if stop - left > MAX_RANGE:
                return Unknown(f"a range of more than {MAX_RANGE} elements")
            result = list(range(left, stop))
        else:
            return Unknown(f"the operator {op} on {type(left).__name__} and "
                           f"{type(right).__name__}")
    except (OverflowError, ValueError):
        return Unknown(f"the operator {op} overflows")
    if isinstance(result, str | list) and len(result) > MAX_TEXT:
        return Unknown("a value too large to evaluate")
    if isinstance(result, int | float) and not -MAX_NUMBER < result < MAX_NUMBER:
        return Unknown("a number too large to evaluate")
    return result


def power(base: int | float, exponent: int | float) -> object:
    """``base ** exponent`` where Ruby gives a plain number; Ruby's Rational and huge numbers
    are left to Ruby."""
    if isinstance(exponent, int) and isinstance(base, int) and exponent < 0:
        return Unknown("a negative integer power (a Rational in Ruby)")
    if abs(base) > 1 and abs(exponent) > 400:
        return Unknown("a number too large to evaluate")
    try:
        result = base ** exponent
    except (OverflowError, ZeroDivisionError, ValueError):
        return Unknown("the operator ** overflows")
    if not isinstance(result, int | float) or not -MAX_NUMBER < result < MAX_NUMBER:
        return Unknown("a number too large to evaluate")
    return result


def call_method(recv: object, name: str, args: list[object], line: int) -> object:
    if isinstance(recv, str) and name in _STR_METHODS and not args:
        return str(_STR_METHODS[name](recv))
    if name in ("freeze", "dup", "to_a") and not args and isinstance(recv, list):
        return recv
    if isinstance(recv, list) and not args and name in ("first", "last"):
        return (recv[0] if name == "first" else recv[-1]) if recv else None
    if isinstance(recv, list) and name == "join" and len(args) <= 1 and all(
            isinstance(x, str | int | float) or x is None for x in recv) and all(
            isinstance(x, str) for x in args):
        return (str(args[0]) if args else "").join(to_s(x) for x in recv)
    if name == "to_s" and not args and (is_number(recv) or recv is None):
        return to_s(recv)
    return Unknown(f"the method `.{name}` on line {line}")


def expand_path(path: str, base: str) -> str:
    if path.startswith("/") or not base.startswith(COOKBOOK):
        return posixpath.normpath(posixpath.join(base, path))
    relative = posixpath.normpath(posixpath.join("." + base[len(COOKBOOK):], path))
    return COOKBOOK if relative == "." else f"{COOKBOOK}/{relative}"


def to_s(value: object) -> str:
    """Ruby's ``to_s`` for nil, booleans, numbers and strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_FILE_CONSTS = ("File", "IO", "::File", "::IO")
# what only the node knows: a condition on them is neither true nor false for the cookbook
NODE_DATA = frozenset({"node", "platform?", "platform_family?", "value_for_platform",
                       "value_for_platform_family", "windows?", "linux?", "macos?",
                       "debian?", "rhel?", "fedora?", "ubuntu?", "centos?", "amazon?",
                       "suse?", "aix?", "solaris?", "freebsd?"})


def node_data(name: str) -> Unknown:
    return Unknown(f"`{name}` reads node data, which only a Chef run on a node knows")

_EXISTS = ("exist?", "exists?", "file?", "readable?")
# File/IO methods that only compute a path: they never touch the file system
_PATH_METHODS = frozenset({"join", "dirname", "basename", "expand_path", "extname",
                           "absolute_path", "split"})
# File/IO methods whose first argument is a command, not a path
_COMMANDS = frozenset({"popen", "sysopen", "pipe", "spawn", "system"})


class ExprEvaluator:
    """Evaluates expressions; subclasses provide statements, ``.each`` and findings."""

    def __init__(self, file_name: str, files: CookbookFiles) -> None:
        self.file_name = file_name  # of the metadata.rb being evaluated, for __FILE__
        self.files = files
        self.scope: dict[str, object] = {}
        self.field = ""  # the DSL method whose arguments are being evaluated
        self.work = 0
        self.rescuing = 0  # inside how many `rescue`s: a missing file raises there

    def report(self, rule: str, message: str, line: int, col: int) -> None:
        raise NotImplementedError

    def getter(self, name: str) -> object:
        raise NotImplementedError

    def each(self, items: object, block: Block | None, line: int) -> object:
        raise NotImplementedError

    def value(self, node: Expr) -> object:
        if isinstance(node, Lit):
            return node.value
        if isinstance(node, Str):
            return self.string(node)
        if isinstance(node, Array | HashLit):
            return self.container(node)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Const):
            if node.path in self.scope:
                return self.scope[node.path]
            return Unknown(f"the constant {node.path} is only known when Ruby runs")
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Index):
            return self.index(node)
        if isinstance(node, Chain):
            return self.chain(node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, RescueExpr):
            return self.rescued(node)
        assert isinstance(node, Opaque)
        if isinstance(node, Shell):
            self.report("metadata-dynamic", f"line {node.line} runs {node.reason}; the value "
                        "is unknown", node.line, node.col)
            return Unknown(node.reason, reported=True)
        return Unknown(node.reason)

    def rescued(self, node: RescueExpr) -> object:
        """``(body rescue fallback)``: the fallback when the body raises."""
        self.rescuing += 1
        try:
            return self.value(node.body)
        except RubyRaise:
            pass
        finally:
            self.rescuing -= 1
        return self.value(node.fallback)

    def string(self, node: Str) -> object:
        out: list[str] = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.value(part)
            if isinstance(value, Unknown):
                return value if value.reported else Unknown(
                    f"string interpolation: {value.reason}")
            if isinstance(value, str | int | float) or value is None:
                out.append(to_s(value))
            else:
                return Unknown(f"interpolation of {type(value).__name__} on line {part.line}")
        return "".join(out)

    def container(self, node: Array | HashLit) -> object:
        if isinstance(node, Array):
            items = [self.value(item) for item in node.items]
            bad = next((i for i in items if not plain(i)), None)
            return items if bad is None else as_unknown(bad)
        result: dict[object, object] = {}
        for key_node, value_node in node.pairs:
            key, value = self.value(key_node), self.value(value_node)
            for item in (key, value):
                if not plain(item):
                    return as_unknown(item)
            if not isinstance(key, str | int | float | bool) and key is not None:
                return Unknown(f"a {type(key).__name__} as hash key on line {node.line}")
            result[key] = value
        return result

    def name(self, node: Name) -> object:
        if node.name in self.scope:
            return self.scope[node.name]
        if node.name == "__FILE__":
            return f"{COOKBOOK}/{self.file_name}"
        if node.name == "__dir__":
            return COOKBOOK
        if node.name in ("respond_to?", "defined?"):
            return ASSUMED
        if node.name in NODE_DATA:
            return node_data(node.name)
        known = self.getter(node.name)
        if known is not None:
            return known
        return Unknown(f"`{node.name}` is only known when Ruby runs")

    def call(self, node: Call) -> object:
        if node.recv is None:
            if node.name == "respond_to?":
                return self.respond_to(node)
            if node.name == "defined?":
                return ASSUMED
            if node.name in NODE_DATA:
                return node_data(node.name)
            return Unknown(f"the method `{node.name}` is only known when Ruby runs")
        if isinstance(node.recv, Const) and node.recv.path in _FILE_CONSTS:
            return self.file_call(node)
        recv = self.value(node.recv)
        if isinstance(recv, Unknown):
            return recv
        if node.name in {"each", "each_pair"}:
            return self.each(recv, node.block, node.line)
        args = [self.value(arg) for arg in node.args]
        bad = next((a for a in args if isinstance(a, Unknown)), None)
        if bad is not None:
            return bad
        return call_method(recv, node.name, args, node.line)

    def file_call(self, node: Call) -> object:
        name = node.name
        if name in _COMMANDS:
            owner = getattr(node.recv, "path", "IO")
            return Unknown(f"`{owner}.{name}` on line {node.line} runs a command, which the "
                           "tool never does")
        args = [self.value(arg) for arg in node.args]
        bad = next((a for a in args if isinstance(a, Unknown)), None)
        if bad is not None:
            return bad
        if not args or not isinstance(args[0], str) or (
                name in _PATH_METHODS and not all(isinstance(a, str) for a in args)):
            return Unknown(f"`File.{name}` with these arguments on line {node.line}")
        texts = [a for a in args if isinstance(a, str)]
        if name in _PATH_METHODS:
            return self.path_call(name, texts, node)
        target = self.resolve(texts[0])
        if name in _EXISTS and len(args) == 1:
            try:
                if name in ("exist?", "exists?"):
                    return self.files.exists(target)
                return self.files.is_file(target)
            except (OSError, ValueError):  # permission denied, a NUL byte, not available
                return False
        if name in ("read", "binread") and len(args) == 1:
            return self.read_file(texts[0], node)
        if name in ("readlines", "foreach") and len(args) == 1:
            text = self.read_file(texts[0], node)
            if not isinstance(text, str):
                return text
            lines: list[object] = list(text.splitlines(keepends=True))
            if name == "foreach":
                return self.each(lines, node.block, node.line)
            return lines
        if not self.files.inside(target):
            return self.outside(target, node)
        return Unknown(f"`File.{name}` on line {node.line}")

    def path_call(self, name: str, texts: list[str], node: Call) -> object:
        """``File.join``, ``File.dirname``...: paths computed, nothing read."""
        if name == "join":
            joined = texts[0]
            for part in texts[1:]:
                joined = f"{joined.rstrip('/')}/{part.lstrip('/')}"
            return joined
        if name == "dirname" and len(texts) == 1:
            return posixpath.dirname(texts[0].rstrip("/")) or "."
        if name == "basename" and len(texts) == 1:
            path = texts[0].rstrip("/")
            if path == COOKBOOK:  # File.basename(File.dirname(__FILE__)): the folder's name
                return self.files.name
            return posixpath.basename(path.replace(COOKBOOK, self.files.show(""), 1))
        if name == "expand_path" and len(texts) <= 2:
            return expand_path(texts[0], texts[1] if len(texts) == 2 else COOKBOOK)
        return Unknown(f"`File.{name}` on line {node.line}")

    def outside(self, target: str, node: Call) -> Unknown:
        """A read of a path outside the cookbook folder: reported, never opened."""
        shown = self.files.show(target)
        who = f"`{self.field}`" if self.field else "metadata.rb"
        how = ("an absolute path" if target.startswith("/") else "`..` leads out of it"
               if leaves_folder(target) else "a symlink leads out of it")
        self.report("metadata-read-outside-cookbook", f"{who} on line {node.line} reads "
                    f"{shown}, which is outside the cookbook folder ({how}): the tool never "
                    "reads it, and a bundle of the cookbook does not carry it; put the file "
                    "inside the cookbook or set the value directly", node.line, node.col)
        return Unknown(f"{shown} is outside the cookbook", reported=True)

    def respond_to(self, node: Call) -> object:
        """``respond_to?(:depends)``: true (assumed) for a metadata method; false for a name
        that only looks like one (a typo), which no Chef version has; else unknown."""
        from cookbook_tool.metadata.dsl import DSL_METHODS

        args = [self.value(arg) for arg in node.args]
        if len(args) != 1 or not isinstance(args[0], str) or args[0] in DSL_METHODS:
            return ASSUMED
        from cookbook_tool.text import closest  # only for a typo

        match = closest(args[0], DSL_METHODS, 0.8)
        if match is None:
            return Unknown(f"`respond_to?(:{args[0]})`: whether Chef's metadata has "
                           f"`{args[0]}`")
        self.report("metadata-unknown-method", f"`respond_to?(:{args[0]})` on line "
                    f"{node.line} is false in every Chef version: metadata has no method "
                    f"`{args[0]}` (did you mean `{match}`?), so what it guards never runs",
                    node.line, node.col)
        return False

    def resolve(self, text: str) -> str:
        """The path ``text`` names, relative to the cookbook folder unless absolute."""
        if text.startswith(COOKBOOK):
            return text[len(COOKBOOK):].lstrip("/")
        return text

    def read_file(self, text: str, node: Call) -> object:
        target = self.resolve(text)
        shown = self.files.show(target)
        who = f"`{self.field}`" if self.field else "metadata.rb"
        try:
            if self.files.size(target) > MAX_TEXT:
                raise OSError(f"{shown} is larger than {MAX_TEXT} bytes")
            data = self.files.read_bytes(target).decode("utf-8", errors="replace")
        except OutsideCookbook:
            return self.outside(target, node)
        except FileUnavailable as exc:
            self.report("metadata-missing-file", f"{who} on line {node.line} reads {shown}, "
                        f"which is not available: {exc}; set the value directly",
                        node.line, node.col)
            return Unknown(f"{shown} is not available", reported=True)
        except FileNotFoundError:
            if self.rescuing:
                raise RubyRaise(f"{shown} does not exist") from None
            self.report("metadata-missing-file", f"{who} on line {node.line} reads {shown}, "
                        "which does not exist: add the file or set the value directly",
                        node.line, node.col)
            return Unknown(f"{shown} does not exist", reported=True)
        except (OSError, ValueError) as exc:
            if self.rescuing:
                raise RubyRaise(f"{shown} cannot be read") from None
            self.report("metadata-unreadable", f"{who} on line {node.line} reads {shown}, "
                        f"which cannot be read ({exc.__class__.__name__})", node.line, node.col)
            return Unknown(f"{shown} cannot be read", reported=True)
        return data

    def index(self, node: Index) -> object:
        recv = self.value(node.recv)
        args = [self.value(a) for a in node.args]
        for item in (recv, *args):
            if isinstance(item, Unknown):
                return item
        if len(args) == 1:
            key = args[0]
            if isinstance(recv, dict) and isinstance(key, str | int | float | bool | None):
                return recv.get(key)
            if isinstance(recv, list | str) and isinstance(key, int) and not isinstance(
                    key, bool):
                return recv[key] if -len(recv) <= key < len(recv) else None
        return Unknown(f"an index on line {node.line}")

    def chain(self, node: Chain) -> object:
        left = self.value(node.first)
        for op, right_node in node.rest:
            if op in ("&&", "||") and plain(left) and truthy(left) == (op == "||"):
                continue  # short-circuit, as in Ruby
            right = self.value(right_node)
            left = logic(left, right) if op in ("&&", "||") else self.binop(op, left, right)
        return left

    def binop(self, op: str, left: object, right: object) -> object:
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if not (plain(left) and plain(right)):
            return Unknown("a comparison with respond_to?/defined?")
        result = operate(op, left, right)
        if isinstance(result, str | list):
            self.work += len(result)
            if self.work > MAX_WORK:
                raise EvaluationBudget(f"more than {MAX_WORK} characters built by operators")
        return result

    def unary(self, node: Unary) -> object:
        value = self.value(node.operand)
        if not plain(value):
            return value
        if node.op == "!":
            return not truthy(value)
        if is_number(value):
            assert isinstance(value, int | float)
            return -value if node.op == "-" else value
        return Unknown(f"unary {node.op} on line {node.line}")
