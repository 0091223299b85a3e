"""Publish bundles to a Git remote: one commit per release on a release branch (default
``cookbooks``) whose tree is the bundle's content with the cookbooks at the root, plus an
annotated tag per release (``{name}-{version}``) whose message carries the release identity.

- Branch and tag are pushed together with ``git push --atomic``; nothing is ever forced. When the
  branch moved meanwhile, the commit is rebuilt on the new tip and pushed again (at most
  ``MAX_ATTEMPTS`` times).
- A tag that exists with the same identity (or the same tree) is "already published": nothing
  is pushed. With other content it is a ``ReleaseConflict``.
- No empty commit: when the branch tip already has the release's tree (the same content
  released under a new version), only the tag is pushed, pointing at the tip.
- Rollback is a new commit whose tree is the old release's tree; history is never rewritten.
- Prune is refused: tags are published history that stacks may pin.

The git work happens in a temporary repository (``git_repo``); see ``git_transport`` for
credentials and error translation and ``git_tree`` for how the tree is built.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from cookbook_tool.constraints import Version, is_valid_version
from cookbook_tool.errors import ReleaseConflict, RemoteError, UsageError
from cookbook_tool.publish.base import (
    Artifact,
    ConsumerInfo,
    ProgressCallback,
    PublishResult,
    Release,
    ReleaseState,
    TargetOptions,
)
from cookbook_tool.publish.git_messages import (
    Signature,
    TagPattern,
    commit_object,
    iso_utc,
    parse_fields,
    release_fields,
    signature,
    tag_object,
)
from cookbook_tool.publish.git_repo import PushOutcome, RemoteRefs, TagRecord, Workspace, workspace
from cookbook_tool.publish.git_transport import GitSetup, check_ref_name, git_setup, parse_target
from cookbook_tool.publish.git_tree import BuiltTree, build_tree
from cookbook_tool.publish.targets import mask_url

MAX_ATTEMPTS = 5
SSM_KEY_PARAMETER = "{{ssm-secure:cookbook-deploy-key}}"
T = TypeVar("T")


class GitPublisher:
    """The ``Publisher`` for Git URLs (``git+ssh://``, ``git+https://``, ``git+file://``,
    ``git://``, ``user@host:path.git``), ``#branch`` or ``options.branch`` naming the branch."""

    def __init__(self, url: str, options: TargetOptions) -> None:
        self.url = mask_url(url)
        self._target = parse_target(url, options.branch)
        self._options = options
        self._environ = dict(os.environ if options.environ is None else options.environ)
        self._tags = TagPattern(options.tag_pattern)

    # -- Publisher ----------------------------------------------------------------------------

    def state(self, artifact: Artifact) -> ReleaseState:
        tag = self._tag(artifact.name, artifact.version)
        with self._workspace() as ws:
            refs = ws.ls_remote(tag)
            if tag not in refs.tags:
                return ReleaseState.ABSENT
            ws.fetch(RemoteRefs(None, refs.tags), tag)
            return self._compare(ws, tag, artifact)

    def publish(
        self,
        artifact: Artifact,
        *,
        force_current: bool = False,
        on_progress: ProgressCallback | None = None,
    ) -> PublishResult:
        tag = self._tag(artifact.name, artifact.version)
        with self._workspace() as ws:
            tree = build_tree(artifact, ws.objects)
            if on_progress:
                on_progress(0, tree.content_bytes)
            result = self._retrying(
                lambda: self._publish_once(ws, artifact, tree, tag, force_current)
            )
        if on_progress:
            on_progress(tree.content_bytes, tree.content_bytes)
        return result

    def releases(self, name: str) -> list[Release]:
        glob = self._tags.glob(name)
        with self._workspace() as ws:
            refs = ws.ls_remote(glob)
            if not refs.tags:
                return []
            refs = ws.fetch(refs, glob)
            tip_tree = ws.tree_of(refs.branch_tip) if refs.branch_tip else None
            records = [r for r in ws.tag_records(glob) if self._release_of(name, r)]
        records.sort(key=_newest_first, reverse=True)
        current = next((r for r in records if r.commit == refs.branch_tip), None)
        current = current or next((r for r in records if r.tree == tip_tree), None)
        return [self._to_release(name, r, r is current) for r in records]

    def rollback(self, name: str, version: str) -> Release:
        tag = self._tag(name, version)
        with self._workspace() as ws:
            return self._retrying(lambda: self._rollback_once(ws, name, tag))

    def prune(self, name: str, keep: int, *, dry_run: bool = False) -> list[Release]:
        raise UsageError(
            f"{self.url}: Git targets keep every release: tags are published history that "
            "stacks may pin, and deleting them would rewrite it. Delete a tag by hand if you "
            "must (git push REMOTE --delete refs/tags/TAG)"
        )

    def consumer_info(self, name: str, version: str | None = None) -> ConsumerInfo:
        branch = self._target.branch
        moving = self._snippets(branch, f"branch:{branch}")
        pinned: dict[str, Any] | None = None
        tag = None
        if version is None:
            current = next((r for r in self.releases(name) if r.current), None)
            version = current.version if current else None
        if version is not None:
            tag = self._tag(name, version)
            with self._workspace() as ws:
                peeled = ws.peeled_tag(tag)
            if peeled is None:
                raise RemoteError(f"{self.url}: no release {name} {version} (tag {tag})")
            pinned = self._snippets(tag, f"commitID:{peeled}")
        chosen = pinned or moving
        return ConsumerInfo(
            custom_cookbooks_source=chosen["custom_cookbooks_source"],
            ssm_apply_chef_recipes=chosen["ssm_apply_chef_recipes"],
            chef_solo=None,
            extra={
                "branch": branch,
                "tag": tag,
                "moving": moving,
                "pinned": pinned,
                "ssh_key": self._ssh_key_note(),
            },
        )

    # -- steps --------------------------------------------------------------------------------

    def _publish_once(
        self, ws: Workspace, artifact: Artifact, built: BuiltTree, tag: str, force_current: bool
    ) -> PublishResult | None:
        """One attempt; ``None`` when the remote moved under us and it must be retried."""
        tree = built.sha
        refs = ws.ls_remote(tag)
        exists = tag in refs.tags
        refs = ws.fetch(refs, *([tag] if exists else []))
        tip_tree = ws.tree_of(refs.branch_tip) if refs.branch_tip else None
        if exists:
            if self._compare(ws, tag, artifact, tree) is ReleaseState.DIFFERENT:
                raise ReleaseConflict(
                    f"{self.url}: {artifact.name} {artifact.version} is already released (tag "
                    f"{tag}) with other content: release a new version; tags are never moved"
                )
            tag_tree = ws.tree_of(f"refs/tags/{tag}")
            current = tip_tree == tag_tree
            if force_current and not current:
                fields = parse_fields(ws.tag_message(tag))
                commit = self._commit(ws, tag_tree, refs.branch_tip, "Roll back to", fields)
                if ws.push([f"{commit}:refs/heads/{self._target.branch}"]) is PushOutcome.RACE:
                    return None
                current = True
            return self._result(artifact, tag, True, 0, current)
        fields = release_fields(artifact)
        refspecs = []
        if refs.branch_tip is not None and tip_tree == tree:
            commit = refs.branch_tip  # never an empty commit: tag the tip that has this tree
        else:
            commit = self._commit(ws, tree, refs.branch_tip, "Release", fields)
            refspecs.append(f"{commit}:refs/heads/{self._target.branch}")
        tag_id = ws.objects.write("tag", tag_object(commit, tag, self._signature(), fields))
        refspecs.append(f"{tag_id}:refs/tags/{tag}")
        if ws.push(refspecs) is PushOutcome.RACE:
            return None
        return self._result(artifact, tag, False, built.content_bytes, True)

    def _rollback_once(self, ws: Workspace, name: str, tag: str) -> Release | None:
        refs = ws.ls_remote(tag)
        if tag not in refs.tags:
            raise RemoteError(
                f"{self.url}: no release tag {tag} to roll back to (see `cookbook-tool releases`)"
            )
        refs = ws.fetch(refs, tag)
        record = next(iter(ws.tag_records(tag)), None)
        if record is None:
            raise RemoteError(f"{self.url}: tag {tag} is not an annotated release tag")
        tip_tree = ws.tree_of(refs.branch_tip) if refs.branch_tip else None
        if tip_tree != record.tree:
            fields = parse_fields(record.message)
            commit = self._commit(ws, record.tree, refs.branch_tip, "Roll back to", fields)
            if ws.push([f"{commit}:refs/heads/{self._target.branch}"]) is PushOutcome.RACE:
                return None
        return self._to_release(name, record, True)

    def _retrying(self, attempt: Callable[[], T | None]) -> T:
        for number in range(1, MAX_ATTEMPTS + 1):
            result = attempt()
            if result is not None:
                return result
            time.sleep(random.uniform(0.05, 0.3) * number)
        raise RemoteError(
            f"{self.url}: branch {self._target.branch} kept moving while publishing (gave up "
            f"after {MAX_ATTEMPTS} attempts, nothing was forced): run the command again"
        )

    # -- helpers ------------------------------------------------------------------------------

    def _workspace(self) -> Any:
        return workspace(self._setup(), self._environ)

    def _setup(self) -> GitSetup:
        return git_setup(self._target, self._options, self._environ)

    def _signature(self) -> Signature:
        return signature(self._options, self._environ)

    def _tag(self, name: str, version: str) -> str:
        return check_ref_name("tag", self._tags.tag(name, version))

    def _commit(
        self, ws: Workspace, tree: str, parent: str | None, verb: str, fields: dict[str, str]
    ) -> str:
        subject = f"{verb} {fields.get('name', '?')} {fields.get('version', '?')}"
        text = commit_object(tree, parent, self._signature(), subject, fields)
        return ws.objects.write("commit", text)

    def _compare(
        self, ws: Workspace, tag: str, artifact: Artifact, tree: str | None = None
    ) -> ReleaseState:
        """SAME when the tag carries this identity or holds this tree; DIFFERENT otherwise."""
        if parse_fields(ws.tag_message(tag)).get("sha256") == artifact.sha256:
            return ReleaseState.SAME
        if tree is None:
            tree = build_tree(artifact, ws.objects).sha
        same = ws.tree_of(f"refs/tags/{tag}") == tree
        return ReleaseState.SAME if same else ReleaseState.DIFFERENT

    def _result(
        self, artifact: Artifact, tag: str, already: bool, size: int, current: bool
    ) -> PublishResult:
        return PublishResult(
            target=self.url,
            name=artifact.name,
            version=artifact.version,
            sha256=artifact.sha256,
            already_published=already,
            bytes_uploaded=size,
            current=current,
            location=f"{self._target.display}#refs/tags/{tag}",
        )

    def _release_of(self, name: str, record: TagRecord) -> bool:
        fields = parse_fields(record.message)
        if fields.get("name", name) != name:
            return False
        return self._tags.version_of(name, record.name) is not None

    def _to_release(self, name: str, record: TagRecord, current: bool) -> Release:
        fields = parse_fields(record.message)
        version = fields.get("version") or self._tags.version_of(name, record.name) or "?"
        source = fields.get("source-commit")
        return Release(
            name=name,
            version=version,
            sha256=fields.get("sha256", ""),
            size=int(fields["size"]) if fields.get("size", "").isdigit() else 0,
            published_at=iso_utc(record.tagger_epoch),
            source_commit=None if source in (None, "unknown") else source,
            current=current,
        )

    def _snippets(self, revision: str, get_options: str) -> dict[str, Any]:
        url = self._target.consumer_url
        source_info: dict[str, str] = {"repository": url}
        if self._target.scheme == "ssh":
            source_info["privateSSHKey"] = SSM_KEY_PARAMETER
        source_info["getOptions"] = get_options
        return {
            "custom_cookbooks_source": {"Type": "git", "Url": url, "Revision": revision},
            "ssm_apply_chef_recipes": {
                "SourceType": "Git",
                "SourceInfo": json.dumps(source_info, separators=(",", ":")),
            },
        }

    def _ssh_key_note(self) -> str:
        if self._target.scheme != "ssh":
            return "no SSH key: this URL is not an SSH URL (OpsWorks needs SSH for private Git)"
        return (
            "OpsWorks: put the deploy key's private key (no passphrase) in "
            "CustomCookbooksSource.SshKey; Systems Manager: store it as the SecureString "
            "parameter named in privateSSHKey"
        )


def _newest_first(record: TagRecord) -> tuple[int, tuple[int, int, int], str]:
    """Sort key: tag date, then version (tags made with one SOURCE_DATE_EPOCH tie on date)."""
    version = parse_fields(record.message).get("version", "")
    key = Version.parse(version).key if is_valid_version(version) else (0, 0, 0)
    return (record.tagger_epoch, key, record.name)
