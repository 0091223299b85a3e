"""A recipe-heavy cookbook repository, generated deterministically from a seed.

The shape of repositories users have (issue 14): many cookbooks, each with many recipes of
30-300 resources and ``include_recipe`` lines (to its own recipes and to the cookbooks it
depends on), ERB templates, attribute files, some minified JavaScript, numeric text (CSV
data) and a few incompressible binary blobs. Nothing in it is a finding: every include names
a declared dependency and an existing recipe, and no text looks like a secret.

    from recipe_tree import generate_recipes
    size = generate_recipes(Path("repo"), total_bytes=100 << 20, cookbooks=200)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Share of the bytes of each cookbook by kind of file (the rest of the shape follows).
SHARES = {
    "recipes": 0.45,
    "templates": 0.12,
    "attributes": 0.08,
    "javascript": 0.10,
    "numeric": 0.10,
    "binary": 0.15,
}
_WORDS = (
    "app", "web", "db", "cache", "queue", "worker", "proxy", "api", "auth", "log", "metrics",
    "backup", "search", "mail", "cron", "deploy", "config", "static", "media", "report",
)
_PACKAGES = ("nginx", "git", "curl", "openssl", "redis", "postgresql", "nodejs", "jq", "unzip")


@dataclass(frozen=True)
class _Cookbook:
    index: int
    depends: tuple[int, ...]
    recipes: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"rb_{self.index:03d}"


def generate_recipes(repo: Path, total_bytes: int, cookbooks: int = 200, seed: int = 7) -> int:
    """Write the repository under ``repo``; return the bytes written (file contents)."""
    rng = random.Random(seed)
    per_cookbook = total_bytes // cookbooks
    # 30-300 resources of ~135 bytes (with the include lines): ~22 KB per recipe on average
    recipe_count = max(2, round(per_cookbook * SHARES["recipes"] / 22_000))
    plan = [
        _Cookbook(
            index,
            tuple(sorted(rng.sample(range(index), k=min(index, rng.randint(0, 4))))),
            ("default", *(f"{rng.choice(_WORDS)}_{n}" for n in range(1, recipe_count))),
        )
        for index in range(cookbooks)
    ]
    (repo / "cookbook-tool.toml").write_text('[bundle]\nname = "bench"\nversion = "1.0.0"\n')
    return sum(_cookbook(repo / "cookbooks", c, plan, rng, per_cookbook) for c in plan)


def _cookbook(
    root: Path, cookbook: _Cookbook, plan: list[_Cookbook], rng: random.Random, budget: int
) -> int:
    folder = root / cookbook.name
    for sub in ("recipes", "attributes", "templates/default", "files/default"):
        (folder / sub).mkdir(parents=True)
    deps = "".join(f"depends '{plan[d].name}'\n" for d in cookbook.depends)
    (folder / "metadata.rb").write_text(
        f"name '{cookbook.name}'\nmaintainer 'Bench'\nmaintainer_email 'b@example.com'\n"
        f"license 'Apache-2.0'\ndescription 'bench'\nversion '2.{cookbook.index}.0'\n{deps}"
    )
    targets = [f"{cookbook.name}::{r}" for r in cookbook.recipes[1:]]
    targets += [f"{plan[d].name}::{r}" for d in cookbook.depends for r in plan[d].recipes[:3]]
    targets += [plan[d].name for d in cookbook.depends]
    written = 0
    for n, recipe in enumerate(cookbook.recipes):
        resources = rng.randint(30, 300)
        text = _recipe(rng, resources, [t for t in targets if not t.endswith(f"::{recipe}")], n)
        written += _write(folder / "recipes" / f"{recipe}.rb", text.encode())
    written += _files(folder, rng, "templates/default", ".conf.erb", _template,
                      int(budget * SHARES["templates"]), 8_000)
    written += _files(folder, rng, "attributes", ".rb", _attributes,
                      int(budget * SHARES["attributes"]), 6_000)
    written += _files(folder, rng, "files/default", ".min.js", _javascript,
                      int(budget * SHARES["javascript"]), 60_000)
    written += _files(folder, rng, "files/default", ".csv", _numeric,
                      int(budget * SHARES["numeric"]), 40_000)
    blob = int(budget * SHARES["binary"] * rng.uniform(0.5, 1.5))
    written += _write(folder / "files/default/blob.bin", rng.randbytes(blob))
    return written


def _files(
    folder: Path, rng: random.Random, sub: str, suffix: str,
    make: Callable[[random.Random, int], str], budget: int,
    average: int,
) -> int:
    """Files of about ``average`` bytes (±50 %) until ``budget`` is spent."""
    written, n = 0, 0
    while written < budget:
        size = min(budget - written, int(average * rng.uniform(0.5, 1.5)))
        data = make(rng, max(size, 64)).encode()
        written += _write(folder / sub / f"{rng.choice(_WORDS)}_{n}{suffix}", data)
        n += 1
    return written


def _recipe(rng: random.Random, resources: int, includes: list[str], n: int) -> str:
    lines = [f"# Recipe {n}: generated for the benchmark", "#", ""]
    for r in range(resources):
        if includes and rng.random() < 0.08:
            lines.append(f"include_recipe '{rng.choice(includes)}'")
            lines.append("")
        lines.extend(_resource(rng, r))
        lines.append("")
    return "\n".join(lines) + "\n"


def _resource(rng: random.Random, r: int) -> list[str]:
    word = rng.choice(_WORDS)
    kind = rng.randrange(6)
    if kind == 0:
        return [f"package '{rng.choice(_PACKAGES)}' do",
                f"  version node['{word}']['version']", "  action :install", "end"]
    if kind == 1:
        return [f"template '/etc/{word}/{word}_{r}.conf' do", f"  source '{word}_{r}.conf.erb'",
                "  owner 'root'", "  group 'root'", "  mode '0644'",
                f"  variables(port: {rng.randint(1024, 65535)}, workers: {rng.randint(1, 32)})",
                f"  notifies :restart, 'service[{word}]', :delayed", "end"]
    if kind == 2:
        return [f"directory '/srv/{word}/{r}' do", f"  owner node['{word}']['user']",
                "  mode '0755'", "  recursive true", "end"]
    if kind == 3:
        return [f"execute '{word}-migrate-{r}' do",
                f"  command \"/usr/local/bin/{word} migrate --step #{{node['{word}']['step']}}\"",
                f"  cwd '/srv/{word}'", f"  not_if {{ ::File.exist?('/srv/{word}/.done_{r}') }}",
                "end"]
    if kind == 4:
        return [f"service '{word}' do", "  supports restart: true, reload: true",
                "  action [:enable, :start]", "end"]
    return [f"if node['{word}']['enabled'] # toggled per layer", f"  user '{word}_{r}' do",
            f"    home '/home/{word}_{r}'", "    shell '/bin/bash'", "  end", "end"]


def _template(rng: random.Random, size: int) -> str:
    out, total = [], 0
    while total < size:
        word = rng.choice(_WORDS)
        block = (
            f"# {word} settings\n<% if @{word}_enabled -%>\n{word}.listen = <%= @port %>\n"
            f"{word}.workers = <%= @workers || {rng.randint(1, 16)} %>\n"
            f"<% @{word}_hosts.each do |host| -%>\n"
            f"upstream {word} <%= host %>:{rng.randint(1, 9999)};\n"
            "<% end -%>\n<% end -%>\n"
        )
        out.append(block)
        total += len(block)
    return "".join(out)


def _attributes(rng: random.Random, size: int) -> str:
    out, total = [], 0
    while total < size:
        word, other = rng.choice(_WORDS), rng.choice(_WORDS)
        value = rng.choice((f"'{other}-{rng.randint(0, 999)}'", str(rng.randint(0, 100000)),
                            "true", "false", f"%w({word} {other})"))
        line = f"default['{word}']['{other}_{rng.randint(0, 99)}'] = {value}\n"
        out.append(line)
        total += len(line)
    return "".join(out)


def _javascript(rng: random.Random, size: int) -> str:
    """One long line, like a minified bundle: short names, few spaces, no newline."""
    out, total = [], 0
    while total < size:
        a, b, c = (rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3))
        piece = rng.choice((
            f"function {a}{b}({c},{a}){{return {c}+{a}*{rng.randint(0, 999)}}}",
            f"var {a}{c}={b}.{rng.choice(_WORDS)}||{{}};",
            f"{a}.prototype.{rng.choice(_WORDS)}=function(){{this.{b}={rng.randint(0, 99)};}};",
            f"if({a}&&{b}.length>{rng.randint(1, 64)}){{{c}.push('{rng.choice(_WORDS)}')}}",
        ))
        out.append(piece)
        total += len(piece)
    return "".join(out)


def _numeric(rng: random.Random, size: int) -> str:
    out, total = ["timestamp,value,min,max\n"], 0
    stamp = 1_700_000_000 + rng.randint(0, 10_000_000)
    while total < size:
        stamp += rng.randint(1, 60)
        line = (f"{stamp},{rng.uniform(-1000, 1000):.6f},{rng.uniform(0, 10):.3f},"
                f"{rng.uniform(10, 100):.3f}\n")
        out.append(line)
        total += len(line)
    return "".join(out)


def _write(path: Path, data: bytes) -> int:
    path.write_bytes(data)
    return len(data)
