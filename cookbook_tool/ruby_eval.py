"""Static evaluation of the Ruby expressions found in ``metadata.rb``.

Values are plain Python data (str, int, float, bool, None, list, dict). What only Ruby could
compute is an :class:`Unknown` carrying the reason. ``respond_to?``/``defined?`` evaluate to
:data:`ASSUMED`: a condition built on them is taken as true (metadata.rb files use them to stay
compatible with older Chef versions).
"""

from __future__ import annotations

import posixpath
import stat
from pathlib import Path

from cookbook_tool.ruby_ast import (
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
    Str,
    Unary,
)
from cookbook_tool.ruby_values import (
    ASSUMED,
    COOKBOOK,
    MAX_TEXT,
    MAX_WORK,
    EvaluationBudget,
    Unknown,
    as_unknown,
    call_method,
    expand_path,
    is_number,
    logic,
    operate,
    plain,
    to_s,
    truthy,
)

_FILE_CONSTS = ("File", "IO", "::File", "::IO")
_EXISTS = ("exist?", "exists?", "file?", "readable?")


class ExprEvaluator:
    """Evaluates expressions; subclasses provide statements, ``.each`` and findings."""

    def __init__(self, path: Path, cookbook_dir: Path) -> None:
        self.path = path
        self.cookbook_dir = cookbook_dir
        self.scope: dict[str, object] = {}
        self.field = ""  # the DSL method whose arguments are being evaluated
        self.work = 0

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
        assert isinstance(node, Opaque)
        return Unknown(node.reason)

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
            return f"{COOKBOOK}/{self.path.name}"
        if node.name == "__dir__":
            return COOKBOOK
        if node.name in ("respond_to?", "defined?"):
            return ASSUMED
        known = self.getter(node.name)
        if known is not None:
            return known
        return Unknown(f"`{node.name}` is only known when Ruby runs")

    def call(self, node: Call) -> object:
        if node.recv is None:
            if node.name in ("respond_to?", "defined?"):
                return ASSUMED
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
        args = [self.value(arg) for arg in node.args]
        bad = next((a for a in args if isinstance(a, Unknown)), None)
        if bad is not None:
            return bad
        if not args or not all(isinstance(a, str) for a in args):
            return Unknown(f"`File.{node.name}` with these arguments on line {node.line}")
        texts = [a for a in args if isinstance(a, str)]
        name = node.name
        if name == "read" and len(texts) == 1:
            return self.read_file(texts[0], node)
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
                return self.cookbook_dir.name
            return posixpath.basename(path.replace(COOKBOOK, str(self.cookbook_dir), 1))
        if name == "expand_path" and len(texts) <= 2:
            return expand_path(texts[0], texts[1] if len(texts) == 2 else COOKBOOK)
        if name in _EXISTS and len(texts) == 1:
            try:
                target = self.resolve(texts[0])
                return target.exists() if name in ("exist?", "exists?") else target.is_file()
            except (OSError, ValueError):  # permission denied, a NUL byte in the name
                return False
        return Unknown(f"`File.{name}` on line {node.line}")

    def resolve(self, text: str) -> Path:
        if text.startswith(COOKBOOK):
            return self.cookbook_dir / text[len(COOKBOOK):].lstrip("/")
        return Path(text) if text.startswith("/") else self.cookbook_dir / text

    def read_file(self, text: str, node: Call) -> object:
        target = self.resolve(text)
        shown = target.as_posix()
        who = f"`{self.field}`" if self.field else "metadata.rb"
        try:
            info = target.stat()
            if not stat.S_ISREG(info.st_mode):
                raise IsADirectoryError(shown)
            if info.st_size > MAX_TEXT:
                raise OSError(f"{shown} is larger than {MAX_TEXT} bytes")
            data = target.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            self.report("metadata-missing-file", f"{who} on line {node.line} reads {shown}, "
                        "which does not exist: add the file or set the value directly",
                        node.line, node.col)
            return Unknown(f"{shown} does not exist", reported=True)
        except (OSError, ValueError) as exc:
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
