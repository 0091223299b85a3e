"""The validate rules on small repositories shaped like the real ones of issue 13 (OpsWorks
Chef 11.10 stacks, community cookbooks): what Chef really does decides the severity."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cookbook_tool.findings import Finding, Severity, error
from cookbook_tool.validate.rules.secrets import _CHUNK, scan_file
from tests.cli import cli_environment, run_cli

KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def _repo(root: Path, files: dict[str, str]) -> Path:
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def _meta(name: str | None, version: str | None = "1.0.0", *depends: str) -> str:
    lines = [f"name '{name}'"] if name else []
    lines += [f"version '{version}'"] if version else []
    lines += [f"depends {d}" for d in depends]
    return "\n".join(lines) + "\n"


def _findings(repo: Path, *args: str) -> tuple[int, list[dict[str, str]]]:
    result = run_cli("validate", repo, "--format", "json", *args)
    assert result.code in (0, 1), result.stdout + result.stderr
    return result.code, result.json()["findings"]


def _by_rule(found: list[dict[str, str]], rule: str) -> list[dict[str, str]]:
    return [f for f in found if f["rule"] == rule]


# -- 13.1 include_recipe through the dependency closure ------------------------------------


def test_include_of_a_transitive_dependency_is_a_warning_that_says_what_chef_does(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a", "1.0.0", "'b'"),
        "a/recipes/default.rb": "include_recipe 'c'\n",
        "b/metadata.rb": _meta("b", "1.0.0", "'c'"),
        "b/recipes/default.rb": "log 'b'\n",
        "c/metadata.rb": _meta("c"),
        "c/recipes/default.rb": "log 'c'\n",
    })
    code, found = _findings(repo)
    assert code == 0, found
    [undeclared] = _by_rule(found, "include-recipe-undeclared")
    assert undeclared["severity"] == "warning"
    assert "a -> b -> c" in undeclared["message"]
    assert "depends 'c'" in undeclared["message"] and "refuses" not in undeclared["message"]


def test_include_outside_the_dependency_closure_stays_an_error(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a", "1.0.0", "'b'"),
        "a/recipes/default.rb": "include_recipe 'd::setup'\n",
        "b/metadata.rb": _meta("b"),
        "b/recipes/default.rb": "log 'b'\n",
        "d/metadata.rb": _meta("d"),
        "d/recipes/setup.rb": "log 'd'\n",
    })
    code, found = _findings(repo)
    assert code == 1
    [undeclared] = _by_rule(found, "include-recipe-undeclared")
    assert undeclared["severity"] == "error"
    assert "CookbookNotFound" in undeclared["message"]
    assert "refuses to load" not in undeclared["message"]
    (repo / "cookbook-tool.toml").write_text('chef_version = "0.9"\n')  # loads every cookbook
    code, found = _findings(repo)
    assert code == 0 and _by_rule(found, "include-recipe-undeclared")[0]["severity"] == "warning"


# -- 13.2 OpsWorks override cookbooks ------------------------------------------------------


OVERRIDE = {
    "deploy/attributes/customize.rb": "normal[:opsworks][:deploy_keep_releases] = 3\n",
    "myapp/metadata.rb": _meta("myapp", "1.0.0", "'deploy'"),
    "myapp/recipes/default.rb": "include_recipe 'deploy::php'\n",  # a built-in recipe
}


@pytest.mark.parametrize("config", [
    'chef_version = "11.10"\n',
    'external_presets = ["opsworks-chef-11.10"]\n',
    'chef_version = "11.10"\nexternal_presets = ["opsworks-chef-11.10"]\n',
])
def test_override_cookbook_is_recognised_for_chef_11(tmp_path, config):
    repo = _repo(tmp_path, {**OVERRIDE, "cookbook-tool.toml": config})
    code, found = _findings(repo)
    assert code == 0, found
    assert [f["rule"] for f in found] == ["opsworks-override-cookbook"]
    [notice] = found
    assert notice["severity"] == "notice"
    assert "attributes/customize.rb" in notice["message"] and "'deploy'" in notice["message"]


def test_a_notice_is_counted_and_rendered_as_a_notice(tmp_path):
    repo = _repo(tmp_path, {**OVERRIDE, "cookbook-tool.toml": 'chef_version = "11.10"\n'})
    text = run_cli("validate", repo, "--skip-json")
    assert text.code == 0, text.stdout + text.stderr
    assert text.stdout.splitlines()[-1].endswith("0 error(s), 0 warning(s), 1 notice(s)")
    github = run_cli("validate", repo, "--skip-json", "--format", "github")
    assert github.stdout.startswith("::notice "), github.stdout
    sarif = run_cli("validate", repo, "--skip-json", "--format", "sarif").json()
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["note"]


def test_a_layer_may_run_a_built_in_recipe_of_an_overridden_cookbook(tmp_path):
    config = ('chef_version = "11.10"\n[layers.app]\nsetup = ["deploy::php", "myapp"]\n'
              'deploy = ["myapp::nope"]\n')
    repo = _repo(tmp_path, {**OVERRIDE, "cookbook-tool.toml": config})
    code, found = _findings(repo)
    assert code == 1
    assert [f["rule"] for f in found if f["severity"] == "error"] == ["layer-recipe-missing"]
    assert "myapp::nope" in _by_rule(found, "layer-recipe-missing")[0]["message"]


def test_override_cookbook_without_chef_11_settings_says_what_to_set(tmp_path):
    repo = _repo(tmp_path, dict(OVERRIDE))
    code, found = _findings(repo)
    assert code == 1
    [missing] = _by_rule(found, "metadata-missing")
    assert 'chef_version = "11.10"' in missing["message"]


def test_a_custom_cookbook_without_metadata_is_still_an_error_on_chef_11(tmp_path):
    repo = _repo(tmp_path, {"mine/recipes/default.rb": "log 'x'\n",
                            "cookbook-tool.toml": 'chef_version = "11.10"\n'})
    code, found = _findings(repo)
    assert code == 1 and _by_rule(found, "metadata-missing")


# -- 13.3 metadata-missing-version ---------------------------------------------------------


def test_missing_version_is_a_warning_saying_chef_uses_zero(tmp_path):
    repo = _repo(tmp_path, {"a/metadata.rb": _meta("a", None), "a/recipes/default.rb": ""})
    code, found = _findings(repo)
    assert code == 0
    [missing] = _by_rule(found, "metadata-missing-version")
    assert missing["severity"] == "warning" and "0.0.0" in missing["message"]


def test_missing_version_is_an_error_when_a_constraint_excludes_zero(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a", None), "a/recipes/default.rb": "",
        "b/metadata.rb": _meta("b", "1.0.0", "'a', '~> 1.2'"), "b/recipes/default.rb": "",
        "c/metadata.rb": _meta("c", "1.0.0", "'a'"), "c/recipes/default.rb": "",
    })
    code, found = _findings(repo)
    assert code == 1
    [missing] = _by_rule(found, "metadata-missing-version")
    assert missing["severity"] == "error"
    assert "b's '~> 1.2'" in missing["message"] and "c's" not in missing["message"]


# -- 13.4 metadata-missing-name ------------------------------------------------------------


def test_a_repository_without_any_name_gets_one_summary_warning(tmp_path):
    repo = _repo(tmp_path, {
        f"cb{i}/{f}": (_meta(None) if f == "metadata.rb" else "log 'x'\n")
        for i in range(5) for f in ("metadata.rb", "recipes/default.rb")
    })
    code, found = _findings(repo)
    assert code == 0, found
    [summary] = _by_rule(found, "metadata-missing-name")
    assert summary["severity"] == "warning"
    assert "5 cookbooks" in summary["message"] and 'chef_version = "11.10"' in summary["message"]
    assert "Chef 12" in summary["message"]


def test_missing_name_among_named_cookbooks_is_an_error_saying_how_to_set_chef_11(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a"), "a/recipes/default.rb": "",
        "b/metadata.rb": _meta(None), "b/recipes/default.rb": "",
    })
    code, found = _findings(repo)
    assert code == 1
    [missing] = _by_rule(found, "metadata-missing-name")
    assert missing["severity"] == "error" and missing["cookbook"] == "b"
    assert "Chef 12 and later refuse" in missing["message"]
    assert "Chef 11 uses the folder name" in missing["message"]
    assert 'chef_version = "11.10"' in missing["message"]
    (repo / "cookbook-tool.toml").write_text('chef_version = "11.10"\n')
    code, found = _findings(repo)
    assert code == 0 and _by_rule(found, "metadata-missing-name")[0]["severity"] == "warning"
    (repo / "cookbook-tool.toml").write_text('chef_version = "0.9"\n')  # before 11 as well
    assert _by_rule(_findings(repo)[1], "metadata-missing-name")[0]["severity"] == "warning"
    (repo / "cookbook-tool.toml").write_text('chef_version = "12.18"\n')
    assert _by_rule(_findings(repo)[1], "metadata-missing-name")[0]["severity"] == "error"


# -- 13.8 invalid names --------------------------------------------------------------------


def test_a_depends_under_a_platform_guard_is_a_warning_naming_the_condition(tmp_path):
    metadata = ("name 'app'\nversion '1.0.0'\nif platform?('windows')\n"
                "  depends 'windows'\nend\ndepends 'nowhere'\n")
    repo = _repo(tmp_path, {"cookbooks/app/metadata.rb": metadata,
                            "cookbooks/app/recipes/default.rb": "log 'x'\n"})
    code, found = _findings(repo)
    missing = {f["message"].split("'")[1]: f for f in found if f["rule"] == "dependency-missing"}
    assert missing["windows"]["severity"] == "warning"
    assert "condition on line 3" in missing["windows"]["message"]
    assert missing["nowhere"]["severity"] == "error" and code == 1


@pytest.mark.parametrize("chef_version, expected", [("11.10", ["error"]), ("12.0", []),
                                                    (None, [])])
def test_a_single_integer_constraint_is_refused_only_for_chef_11(tmp_path, chef_version,
                                                                  expected):
    config = f'chef_version = "{chef_version}"\n' if chef_version else ""
    repo = _repo(tmp_path, {
        "cookbook-tool.toml": config,
        "cookbooks/app/metadata.rb": _meta("app", "1.0.0", "'base', '< 7'"),
        "cookbooks/app/recipes/default.rb": "log 'x'\n",
        "cookbooks/base/metadata.rb": _meta("base", "6.2.0"),
        "cookbooks/base/recipes/default.rb": "log 'x'\n",
    })
    _, found = _findings(repo)
    flagged = [f for f in found if f["rule"] == "dependency-constraint-chef-11"]
    assert [f["severity"] for f in flagged] == expected
    if flagged:
        assert "'< 7.0'" in flagged[0]["message"] and "Chef 11 refuses" in flagged[0]["message"]
    assert not [f for f in found if f["rule"] == "dependency-unsatisfied"]


def test_a_recipe_name_as_cookbook_name_fails_validate_with_what_to_write(tmp_path):
    repo = _repo(tmp_path, {
        "swapfile/metadata.rb": "name 'swapfile::default'\nversion '1.0.0'\n",
        "swapfile/recipes/default.rb": "log 'x'\n",
    })
    code, found = _findings(repo)
    assert code == 1
    assert [f["rule"] for f in found] == ["metadata-invalid-name"]
    assert "name 'swapfile'" in found[0]["message"] and found[0]["line"] == 1


# -- 13.9 YAML and JSON recipes ------------------------------------------------------------


def test_yaml_and_json_recipes_are_recipes(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a"),
        "a/recipes/default.rb": "log 'x'\n",
        "a/recipes/extra.json": '{"resources": []}\n',
        "a/recipes/more.yml": "resources: []\n",
        "b/metadata.rb": _meta("b", "1.0.0", "'a'"),
        "b/recipes/default.rb": "include_recipe 'a::extra'\ninclude_recipe 'a::more'\n",
    })
    code, found = _findings(repo)
    assert code == 0 and found == []
    (repo / "cookbook-tool.toml").write_text('chef_version = "17.10"\n')
    code, found = _findings(repo)
    [too_new] = _by_rule(found, "include-recipe-missing")
    assert "18.8" in too_new["message"] and too_new["line"] == 1


# -- 13.10 private keys --------------------------------------------------------------------


def _pem(body: bytes) -> str:
    encoded = base64.b64encode(body).decode()
    lines = [encoded[i:i + 64] for i in range(0, len(encoded), 64)]
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\n"


KEY_BYTES = bytes(range(256)) * 3  # a body of plausible length, varied like a key


def test_a_complete_key_block_is_an_error_anywhere(tmp_path):
    pem = _pem(KEY_BYTES)
    escaped = pem.replace("\n", "\\n")
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a"), "a/recipes/default.rb": "log 'x'\n",
        "a/README.md": "# Keys\n\n```\n" + pem + "```\n",
        "a/attributes/default.rb": f'default["key"] = "{escaped}"\n',
    })
    code, found = _findings(repo)
    assert code == 1
    keys = _by_rule(found, "secret-private-key")
    assert sorted(Path(f["file"]).name for f in keys) == ["README.md", "default.rb"]
    assert not _by_rule(found, "secret-private-key-fragment")


def test_fragments_and_placeholders_are_warnings(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a"), "a/recipes/default.rb": "log 'x'\n",
        "a/README.md": "Put your key in the data bag:\n\n    -----BEGIN RSA PRIVATE KEY-----\n"
                       "    MIIEpAIBAAKCAQ...\n",
        "a/templates/default/key.pem.erb": "-----BEGIN RSA PRIVATE KEY-----\n<%= @key %>\n"
                                           "-----END RSA PRIVATE KEY-----\n",
        "a/files/default/sample.pem": "-----BEGIN PRIVATE KEY-----\n" + "X" * 128
                                      + "\n-----END PRIVATE KEY-----\n",
    })
    code, found = _findings(repo)
    assert code == 0, found
    fragments = _by_rule(found, "secret-private-key-fragment")
    assert len(fragments) == 3 and all(f["severity"] == "warning" for f in fragments)
    assert "MIIE" not in str(found)


def test_a_key_across_the_chunk_boundary_of_a_large_file_is_found_once(tmp_path):
    pem = _pem(KEY_BYTES).encode()
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (_CHUNK - 100) + b"\n" + pem + b"tail\n")
    found = list(scan_file(big))
    assert [rule for rule, _, _ in found] == ["secret-private-key"]
    assert found[0][1] == 2


# -- 13.11 templates -----------------------------------------------------------------------


def test_erb_files_chef_never_looks_up_as_templates_are_not_reported(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a"),
        "a/recipes/default.rb": (
            "template '/etc/other.conf' do\n  source 'other.conf.erb'\n  cookbook 'b'\nend\n"
            "template '/etc/local.conf' do\n  source '/srv/local.conf.erb'\n  local true\nend\n"
            "template '/etc/ok.conf' do\n  source 'ok.conf.erb'\nend\n"
            "cookbook_file '/srv/app.erb' do\n  source 'app.erb'\nend\n"
        ),
        "a/templates/default/ok.conf.erb": "ok\n",
        "a/files/default/app.erb": "<%= 1 %>\n",
        "a/files/default/other.conf.erb": "x\n",
        "a/files/default/local.conf.erb": "x\n",
        "a/files/default/ok.conf.erb": "x\n",
    })
    code, found = _findings(repo)
    assert code == 0 and found == [], found


def test_a_template_source_kept_outside_templates_is_reported(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a"),
        "a/recipes/default.rb": "log 'x'\ntemplate \"/etc/app.conf\" do\n  source \"app.conf.erb\"\n"
                                "end\n",
        "a/files/default/app.conf.erb": "x\n",
    })
    code, found = _findings(repo)
    [stray] = _by_rule(found, "template-outside-templates")
    assert code == 0  # a warning
    assert stray["severity"] == "warning" and "recipes/default.rb:3" in stray["message"]


# -- 12.4 AWS key ids are never printed by any finding -------------------------------------


def test_a_key_id_in_metadata_is_never_printed(tmp_path):
    repo = _repo(tmp_path, {
        "a/metadata.rb": _meta("a", f"{KEY_ID}", f"'{KEY_ID}'"),
        "a/recipes/default.rb": f"include_recipe '{KEY_ID}::x'\n",
    })
    for fmt in ("text", "json", "github", "sarif"):
        result = run_cli("validate", repo, "--format", fmt)
        assert result.code == 1
        assert KEY_ID not in result.stdout + result.stderr, fmt
    rules = {f["rule"] for f in _findings(repo)[1]}
    assert {"dependency-missing", "metadata-invalid-version", "secret-aws-access-key"} <= rules


def test_every_finding_is_masked_where_it_is_made():
    made = error("any-rule", f"depends on {KEY_ID!r}", "f", path=f"/x/{KEY_ID}")
    assert KEY_ID not in made.message and KEY_ID not in (made.path or "")
    direct = Finding("f", 1, None, "r", Severity.WARNING, f"key {KEY_ID}")
    assert direct.message == "key ***"


# -- 12.10 unreadable files ----------------------------------------------------------------


# Root reads any file; without these two capabilities it obeys the permission bits like a user.
_AS_A_USER = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
              "--inh-caps=-dac_override,-dac_read_search"]


def test_an_unreadable_file_fails_with_exit_3_naming_it(tmp_path):
    repo = _repo(tmp_path, {"a/metadata.rb": _meta("a"), "a/recipes/default.rb": "log 'x'\n",
                            "a/files/default/secret.txt": "x\n"})
    secret = repo / "a/files/default/secret.txt"
    secret.chmod(0o000)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root reads every file and setpriv is not here to drop that")
        prefix = _AS_A_USER
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "cookbook_tool", "validate", str(repo)],
            cwd=tmp_path, env=cli_environment(), capture_output=True, text=True, timeout=120,
        )
    finally:
        secret.chmod(0o644)
    assert done.returncode == 3, done.stdout + done.stderr
    assert str(secret) in done.stderr and "cannot read" in done.stderr
    assert "OK" not in done.stdout


def test_every_missing_cookbook_message_says_how_to_declare_or_vendor_it(tmp_path):
    repo = _repo(tmp_path, {"cookbooks/app/metadata.rb": _meta("app", "1.0.0", "'apt'"),
                            "cookbooks/app/recipes/default.rb": "include_recipe 'nginx'\n"})
    _, found = _findings(repo)
    messages = {f["rule"]: f["message"] for f in found}
    for rule in ("dependency-missing", "include-recipe-missing"):
        for said in ("external_cookbooks", "--external NAME", "--external-preset NAME",
                     "cookbook-tool lock"):
            assert said in messages[rule], (rule, messages[rule])
