"""``cookbook-tool new``: a cookbook that passes ``validate``, and a commented configuration.

Nothing existing is ever overwritten: the files are checked first, then written.
"""

from __future__ import annotations

import re
from pathlib import Path

from cookbook_tool.cookbook.discovery import CONFIG_FILE
from cookbook_tool.errors import LocalError, UsageError

# Supermarket accepts /\A[\w_-]+\z/i and Chef Infra Server [.A-Za-z0-9_-]+; a new cookbook
# keeps to the lower-case part both accept.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Neither sets a length, but the name is a folder: no file system holds a file name over 255
# bytes (NAME_MAX on Linux and macOS, 255 UTF-16 units on NTFS).
MAX_NAME = 255


def cookbook_files(name: str, maintainer: str, email: str) -> dict[str, str]:
    """The files of a new cookbook, by path relative to its folder."""
    return {
        "metadata.rb": (
            f"name '{name}'\n"
            f"maintainer '{maintainer}'\n"
            f"maintainer_email '{email}'\n"
            "license 'Apache-2.0'\n"
            f"description 'Installs and configures {name}'\n"
            "version '0.1.0'\n"
            "chef_version '>= 11.10'\n"
            "\n"
            "supports 'amazon'\n"
            "supports 'ubuntu'\n"
            "\n"
            f"recipe '{name}::default', 'Installs and configures {name}'\n"
        ),
        "recipes/default.rb": (
            "#\n"
            f"# Cookbook:: {name}\n"
            "# Recipe:: default\n"
            "#\n"
            f"log \"{name}: configured with #{{node['{name}']['greeting']}}\"\n"
        ),
        "attributes/default.rb": f"default['{name}']['greeting'] = 'hello'\n",
        "README.md": (
            f"# {name}\n\n"
            "What this cookbook does, and which layer event runs which recipe.\n\n"
            "## Recipes\n\n"
            f"- `{name}::default` — installs and configures {name}.\n\n"
            "## Attributes\n\n"
            f"- `node['{name}']['greeting']` — example attribute (default `hello`).\n"
        ),
        "chefignore": (
            "# Files Chef never needs on an instance (one glob per line, relative to the\n"
            "# cookbook; a matching folder leaves out everything below it).\n"
            "*~\n*.swp\n.DS_Store\n.kitchen*\nspec\ntest\nBerksfile*\nGemfile*\n"
        ),
    }


def new_cookbook(parent: Path, name: str, maintainer: str, email: str) -> list[Path]:
    """Create ``parent/name`` with a cookbook in it; return the files written."""
    check_cookbook_name(name)
    folder = parent / name
    try:
        exists = folder.exists() or folder.is_symlink()
    except OSError as exc:  # e.g. a path longer than the system allows (ENAMETOOLONG)
        raise LocalError(f"{folder}: cannot create ({exc.strerror}); nothing was written") from exc
    if exists:
        raise LocalError(f"{folder}: already exists; nothing was written")
    return _write_all(folder, cookbook_files(name, maintainer, email))


def check_cookbook_name(name: str) -> None:
    """``UsageError`` unless ``name`` is a name a new cookbook may take."""
    if not _NAME.match(name):
        raise UsageError(
            f"{name[:60]!r}{'...' if len(name) > 60 else ''} is not a good cookbook name: "
            "use lower-case letters, digits, '_' and '-'"
        )
    if len(name) > MAX_NAME:
        raise UsageError(
            f"a cookbook name of {len(name)} characters is too long: the name is also the "
            f"cookbook's folder, and file names hold at most {MAX_NAME}"
        )


CONFIG_TEMPLATE = """\
# cookbook-tool configuration. Every key is optional; see README.md for all of them.

[bundle]
name = "cookbooks"          # the archive is <name>-<version>.tar.gz
version = "0.1.0"           # or: version_from = "git-tag"
# layout = "cookbooks"      # cookbooks/<name>/... (OpsWorks, chef-solo); "flat" for Windows stacks
# format = "tar.gz"         # or "zip"

# Folders holding cookbooks besides the repository root:
# cookbooks_dirs = ["cookbooks", "site-cookbooks"]

# The Chef version the layers run ("11.10" allows metadata without a name):
# chef_version = "12"

# Cookbooks dependencies may name although they are not in this repository:
# external_cookbooks = ["apt"]
# external_presets = ["opsworks-chef-11.10"]   # OpsWorks' built-in cookbooks

# Custom JSON files and the schema each must satisfy:
[[schemas]]
files = ["stack/*.json"]
schema = "opsworks-custom-json"

# Where `cookbook-tool release` publishes (several allowed):
[targets.local]
url = "out/releases"
# [targets.prod]
# url = "s3://my-layer-cookbooks/stacks/prod"
# region = "us-west-2"
# [targets.git]
# url = "git+ssh://git@git.example.com/ops/layer-cookbooks.git"
# branch = "cookbooks"
# ssh_key = "~/.ssh/deploy_key"

# Releases each target keeps (older ones are removed by `cookbook-tool prune`):
retention = 5

# The stack's layers: custom recipes per lifecycle event
# (setup, configure, deploy, undeploy, shutdown), as 'cookbook' or 'cookbook::recipe'.
# [layers.app]
# setup = ["mycookbook"]
# deploy = ["mycookbook::deploy"]
"""


IGNORED_OUTPUT = "out/"


def new_config(folder: Path) -> list[Path]:
    """Write ``cookbook-tool.toml``, and keep ``out/`` (bundles, local releases) out of Git by
    adding it to ``.gitignore``. Returns the files written or changed."""
    path = folder / CONFIG_FILE
    if path.exists():
        raise LocalError(f"{path}: already exists; nothing was written")
    written = _write_all(folder, {CONFIG_FILE: CONFIG_TEMPLATE})
    ignore = folder / ".gitignore"
    try:
        lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
        if not {IGNORED_OUTPUT, "out", "/out/", "/out"} & {line.strip() for line in lines}:
            with ignore.open("a", encoding="utf-8") as stream:
                prefix = "\n" if lines and not ignore.read_text().endswith("\n") else ""
                stream.write(f"{prefix}# cookbook-tool bundles and local releases\n"
                             f"{IGNORED_OUTPUT}\n")
            written.append(ignore)
    except (OSError, UnicodeDecodeError) as exc:
        raise LocalError(f"{ignore}: cannot update ({exc})") from exc
    return written


def _write_all(folder: Path, files: dict[str, str]) -> list[Path]:
    written: list[Path] = []
    try:
        for relpath, text in files.items():
            path = folder / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as stream:
                stream.write(text)
            written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise LocalError(f"{folder}: cannot write ({exc.strerror}); nothing was kept") from exc
    return written
