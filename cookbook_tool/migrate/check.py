"""``migrate check``: can these cookbooks run outside OpsWorks, under Systems Manager's
``AWS-ApplyChefRecipes`` or chef-solo/Cinc, on a given Chef version? Findings, one per use.

Recipes, attributes, libraries, resources, providers and definitions are scanned as Ruby with
comments blanked (line numbers kept); templates for the attribute and data bag rules only;
``depends`` comes from the parsed metadata. Regular expressions, not a Ruby parser: each
pattern anchors on a statement start or a distinctive name, so a mention in a string is the
rare false alarm. A removed resource or method is an error from the Chef version that removed
it (``check_rules``), a warning on an older one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cookbook_tool.config.load import Config
from cookbook_tool.cookbook.model import Cookbook
from cookbook_tool.cookbook.opsworks import OPSWORKS_CHEF_11_10_COOKBOOKS
from cookbook_tool.cookbook.repository import LoadedRepository, open_repository
from cookbook_tool.errors import UsageError
from cookbook_tool.findings import Finding, Severity, sort_findings
from cookbook_tool.migrate.check_rules import RULES

RUNNERS = ("ssm", "chef-solo")
_RUBY_DIRS = ("recipes/", "attributes/", "libraries/", "resources/", "providers/",
              "definitions/")
_MAX_BYTES = 4 << 20
# Built-in names that Supermarket also has: depending on them resolves, to another cookbook.
_ALSO_COMMUNITY = frozenset({
    "apache2", "haproxy", "memcached", "mysql", "nginx", "php", "passenger_apache2", "ruby",
    "rails", "unicorn", "s3_file", "packages",
})

_OPSWORKS = re.compile(r"""\bnode\s*(?:\[\s*(?::opsworks\b|['"]opsworks['"])|\.opsworks\b)""")
_DEPLOY = re.compile(r"""\bnode\s*(?:\[\s*(?::deploy\b|['"]deploy['"])|\.deploy\b)""")
_DATA_BAG = re.compile(
    r"""\b(?:search|data_bag|data_bag_item)\s*\(?\s*(?::|['"])(aws_opsworks_\w+)""")
_INCLUDE = re.compile(r"""\binclude_recipe\s*\(?\s*['"]([A-Za-z0-9_\-]+)(?:::[\w\-]+)?['"]""")
_NODE_SET = re.compile(r"\bnode\.(set_unless|set)\b(?![?!])")
_CHEF_GEM = re.compile(r"^([ \t]*)chef_gem\b", re.MULTILINE)
_EASY_INSTALL = re.compile(r"^[ \t]*(easy_install_package)\b", re.MULTILINE)
_DEPLOY_RESOURCE = re.compile(
    r"""^[ \t]*(deploy_revision|deploy_branch|deploy)[ \t]*\(?[ \t]*"""
    r"""(?:['"]|node\b|[\w@\[\]:'".]+[ \t]+do\b)""", re.MULTILINE)
_ERL_CALL = re.compile(r"^[ \t]*(erl_call)\b", re.MULTILINE)
_CHEF_REST = re.compile(r"\bChef::REST\b")
_BLOCK_COMMENT = re.compile(r"^=begin\b.*?^=end\b[^\n]*", re.MULTILINE | re.DOTALL)
_LINE_COMMENT = re.compile(r"^[ \t]*#[^\n]*", re.MULTILINE)


@dataclass(frozen=True)
class ReadinessSettings:
    root: Path
    runner: str = "ssm"
    chef_version: int = 18
    supplied: frozenset[str] = field(default_factory=frozenset)  # top-level attribute keys


def readiness(config: Config, settings: ReadinessSettings) -> list[Finding]:
    """Every finding over the repository's cookbooks, sorted."""
    if settings.runner not in RUNNERS:
        raise UsageError(f"--target {settings.runner!r}: use ssm or chef-solo")
    if not 11 <= settings.chef_version <= 18:
        raise UsageError(f"--chef-version {settings.chef_version}: use 11 to 18")
    loaded = open_repository(settings.root, config)
    own = set(loaded.named)
    findings: list[Finding] = []
    for cookbook in loaded.cookbooks:
        findings.extend(_depends(cookbook, own))
        for path, relpath, text in _sources(loaded, cookbook):
            scanner = _Scanner(settings, cookbook, path, own)
            findings.extend(scanner.scan(text, relpath.endswith(".erb")))
    return sort_findings(findings)


def _sources(loaded: LoadedRepository, cookbook: Cookbook) -> Iterator[tuple[Path, str, str]]:
    files = loaded.files_of(cookbook)
    for entry in files.shipped():
        ruby = entry.relpath.endswith(".rb") and entry.relpath.startswith(_RUBY_DIRS)
        template = entry.relpath.startswith("templates/") and entry.relpath.endswith(".erb")
        if not (ruby or template) or not entry.is_file_like or entry.size > _MAX_BYTES:
            continue
        data = files.content(entry)
        if data is None:
            data = entry.content_path.read_bytes()
        yield entry.path, entry.relpath, data.decode("utf-8", errors="replace")


def _code(text: str) -> str:
    """Ruby with ``=begin`` blocks and whole-line comments blanked, line numbers kept."""
    text = _BLOCK_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return _LINE_COMMENT.sub("", text)


def _depends(cookbook: Cookbook, own: set[str]) -> Iterator[Finding]:
    metadata = cookbook.metadata
    for dependency in cookbook.depends:
        found = _builtin(dependency.name, own, f"depends {dependency.name!r}")
        if found and metadata is not None:
            severity, message = found
            yield _finding("migrate-builtin-cookbook", severity, message, metadata.source,
                           dependency.line, None, cookbook)


def _builtin(name: str, own: set[str], what: str) -> tuple[Severity, str] | None:
    if name not in OPSWORKS_CHEF_11_10_COOKBOOKS or name in own:
        return None
    if name in _ALSO_COMMUNITY:
        return Severity.WARNING, (
            f"{what}: {name!r} was an OpsWorks built-in cookbook; outside OpsWorks it resolves "
            "to the Supermarket cookbook of that name, whose recipes and attributes differ: pin "
            "and test that cookbook, or vendor the OpsWorks version into this repository")
    return Severity.ERROR, (
        f"{what}: {name!r} is an OpsWorks built-in cookbook (aws/opsworks-cookbooks); it does "
        "not exist outside OpsWorks, so the run fails to resolve it: copy what you use into "
        "your own cookbook and drop the dependency")


def _finding(
    rule: str, severity: Severity, message: str, file: Path, line: int | None,
    column: int | None, cookbook: Cookbook,
) -> Finding:
    return Finding(file.as_posix(), line, column, rule, severity, message, cookbook.dirname)


@dataclass
class _Scanner:
    settings: ReadinessSettings
    cookbook: Cookbook
    path: Path
    own: set[str]

    def scan(self, text: str, template: bool) -> Iterator[Finding]:
        code = text if template else _code(text)
        self._lines = [m.start() for m in re.finditer("^", code, re.MULTILINE)]
        yield from self._attribute(code, _OPSWORKS, "opsworks", "migrate-opsworks-attribute")
        yield from self._attribute(code, _DEPLOY, "deploy", "migrate-deploy-attribute")
        yield from self._data_bags(code)
        if template:
            return
        yield from self._includes(code)
        yield from self._removed(code, _NODE_SET, "migrate-node-set",
                                 "node.{0} was removed in Chef 14: use node.default{1} or "
                                 "node.override{1} (normal attributes persist across runs)")
        yield from self._chef_gems(code)
        yield from self._removed(code, _EASY_INSTALL, "migrate-easy-install",
                                 "the {0} resource was removed in Chef 13: install Python "
                                 "packages with pip in an execute resource or a pip cookbook")
        yield from self._removed(code, _DEPLOY_RESOURCE, "migrate-deploy-resource",
                                 "the {0} resource was removed in Chef 14: check out the app with "
                                 "the git resource, or pin the deploy_resource cookbook")
        yield from self._removed(code, _ERL_CALL, "migrate-erl-call",
                                 "the {0} resource was removed in Chef 13: run erl_call from an "
                                 "execute resource")
        yield from self._removed(code, _CHEF_REST, "migrate-chef-rest",
                                 "Chef::REST was removed in Chef 13: use Chef::ServerAPI (or "
                                 "Chef::HTTP for other servers)")

    def _where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def _emit(self, rule: str, severity: Severity, message: str, offset: int) -> Finding:
        line, column = self._where(offset)
        return _finding(rule, severity, message, self.path, line, column, self.cookbook)

    def _attribute(self, code: str, pattern: re.Pattern[str], key: str, rule: str
                   ) -> Iterator[Finding]:
        filled = ("instance, layers, stack and the other stack configuration attributes"
                  if key == "opsworks" else "deploy_to, scm, domains and the other app keys")
        for match in pattern.finditer(code):
            if key in self.settings.supplied:
                yield self._emit(rule, Severity.WARNING, (
                    f"node[:{key}] exists only as far as the custom JSON's {key!r} key supplies "
                    f"it (migrate attributes passes it): OpsWorks also filled {filled}; check "
                    "every key this code reads is in the custom JSON"), match.start())
            else:
                yield self._emit(rule, Severity.ERROR, (
                    f"node[:{key}] was filled by OpsWorks and is nil under "
                    f"{self._runner()}: reading a key below it raises NoMethodError; add a "
                    f"{key!r} object to the stack's custom JSON (migrate attributes passes it "
                    "as JsonAttributesContent) or set the attributes in the cookbook"),
                    match.start())

    def _data_bags(self, code: str) -> Iterator[Finding]:
        for match in _DATA_BAG.finditer(code):
            bag = match.group(1)
            if self.settings.runner == "chef-solo":
                yield self._emit("migrate-opsworks-data-bag", Severity.WARNING, (
                    f"data bag {bag!r} was written by OpsWorks (Chef 12 Linux stacks); chef-solo "
                    f"finds it only if you provide data_bags/{bag}/*.json under its "
                    "data_bag_path"), match.start())
            else:
                yield self._emit("migrate-opsworks-data-bag", Severity.ERROR, (
                    f"data bag {bag!r} was written by OpsWorks (Chef 12 Linux stacks); "
                    "AWS-ApplyChefRecipes runs with the cookbooks only, so the search or "
                    "lookup fails: pass the values as attributes (JsonAttributesContent) "
                    "instead"), match.start())

    def _includes(self, code: str) -> Iterator[Finding]:
        for match in _INCLUDE.finditer(code):
            found = _builtin(match.group(1), self.own, f"include_recipe {match.group(1)!r}")
            if found:
                yield self._emit("migrate-builtin-cookbook", found[0], found[1], match.start())

    def _removed(self, code: str, pattern: re.Pattern[str], rule: str, template: str
                 ) -> Iterator[Finding]:
        removed = RULES[rule].removed_in or 0
        for match in pattern.finditer(code):
            what = match.group(1) if pattern.groups else match.group(0)
            suffix = "_unless" if what == "set_unless" else ""
            offset = match.start(1) if pattern.groups else match.start()
            yield self._emit(rule, *self._severity(removed, template.format(what, suffix)),
                             offset)

    def _severity(self, removed: int, message: str) -> tuple[Severity, str]:
        version = self.settings.chef_version
        if version >= removed:
            return Severity.ERROR, f"{message} (fails on the chosen Chef {version})"
        return Severity.WARNING, f"{message} (still works on Chef {version}; fails from Chef "\
            f"{removed})"

    def _chef_gems(self, code: str) -> Iterator[Finding]:
        for match in _CHEF_GEM.finditer(code):
            if "compile_time" in _block(code, match.start(), match.group(1)):
                continue
            message = ("chef_gem without compile_time: since Chef 13 it installs at converge "
                       "time, after the recipe's `require` ran; add `compile_time true` if the "
                       "recipe or a library uses the gem while compiling, else "
                       "`compile_time false`")
            # a warning on every version: it fails only when the gem is used while compiling
            yield self._emit("migrate-chef-gem-compile-time", Severity.WARNING, message,
                             match.start())

    def _runner(self) -> str:
        return "AWS-ApplyChefRecipes" if self.settings.runner == "ssm" else "chef-solo"


def _block(code: str, start: int, indent: str) -> str:
    """The resource's text: its line, and with ``do`` the lines down to its ``end``."""
    line_end = code.find("\n", start)
    first = code[start: line_end if line_end >= 0 else len(code)]
    if not re.search(r"\bdo\b", first):
        return first
    end = re.compile(rf"^{re.escape(indent)}end\b", re.MULTILINE).search(code, line_end)
    return code[start: end.end() if end else len(code)]
