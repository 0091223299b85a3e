"""Publish bundles to a Git remote: one commit per release on a release branch (default
``cookbooks``) whose tree is the bundle's content with the cookbooks at the root, plus an
annotated tag per release (``{name}-{version}``) whose message carries the release identity.

- Branch and tag are pushed together with ``git push --atomic``; nothing is ever forced. When the
  branch moved meanwhile, the commit is rebuilt on the new tip and pushed again (at most
  ``MAX_ATTEMPTS`` times).
- A tag that exists with the same identity (or the same tree) is "already published": nothing
  is pushed. With other content it is a ``ReleaseConflict``, even with ``force_current``.
- No empty commit: when the branch tip already has the release's tree, only the tag is pushed,
  pointing at the tip.
- A version older than the current one (a hotfix of an old line) is tagged on a commit beside
  the branch, whose parent is the tip; the branch moves only with ``force_current``.
- Rollback is a new commit whose tree is the old release's tree; history is never rewritten.
- Prune deletes release tags (never the current one); the commits stay on the branch.

The git work happens in a temporary repository (``git_repo``); see ``git_transport`` for
credentials and error translation, ``git_tree`` for how the tree is built.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TypeVar

from cookbook_tool.artifact import Artifact, open_artifact
from cookbook_tool.errors import ReleaseConflict, RemoteError
from cookbook_tool.publish.base import (
    ConsumerInfo,
    Origin,
    ProgressCallback,
    PublishResult,
    Release,
    ReleaseState,
    TargetOptions,
)
from cookbook_tool.publish.git.consumer import consumer_info
from cookbook_tool.publish.git.history import (
    FOREIGN_BASE,
    has_foreign_history,
    is_own_commit,
    is_release_tag,
    prune_plan,
    releases_of,
    serial_of,
    to_release,
    version_key,
)
from cookbook_tool.publish.git.messages import (
    Signature,
    TagPattern,
    commit_object,
    parse_fields,
    release_fields,
    signature,
    tag_object,
)
from cookbook_tool.publish.git.repo import PushOutcome, RemoteRefs, Workspace, workspace
from cookbook_tool.publish.git.transport import check_ref_name, git_setup, parse_target
from cookbook_tool.publish.git.tree import BuiltTree, build_tree, write_archive
from cookbook_tool.publish.history import check_plan
from cookbook_tool.text import mask_url

MAX_ATTEMPTS = 5
T = TypeVar("T")


class GitPublisher:
    """The ``Publisher`` for Git URLs (``git+ssh://``, ``git+https://``, ``git+file://``,
    ``git://``, ``user@host:path.git``), ``#branch`` or ``options.branch`` naming the branch."""

    rebuilds_archives = True  # ``download`` writes the archive again from the release tree

    def __init__(self, url: str, options: TargetOptions) -> None:
        self.url = mask_url(url)
        self._target = parse_target(url, options.branch)
        self.place = f"{self._target.display}#{self._target.branch}"
        self._options = options
        self._environ = dict(options.environ)
        self._tags = TagPattern(options.tag_pattern)
        self._allow_foreign = False
        self._origin: Origin | None = None

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
        allow_foreign_branch: bool = False,
        origin: Origin | None = None,
    ) -> PublishResult:
        """``allow_foreign_branch``: publish onto a branch that holds commits not made by
        cookbook-tool (its tree is replaced by the release's); refused otherwise. ``origin``:
        a promoted release, its source recorded in the commit and the tag."""
        tag = self._tag(artifact.name, artifact.version)
        self._allow_foreign = allow_foreign_branch
        self._origin = origin
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

    def download(self, name: str, version: str, directory: Path) -> Path:
        """The release's tree as a bundle archive (``tree.write_archive``), checked on the way:
        the archive makes exactly the tag's tree again."""
        tag = self._tag(name, version)
        path = directory / f"{name}-{version}.tar.gz"
        with self._workspace() as ws:
            refs = ws.ls_remote(tag)
            if tag not in refs.tags:
                raise RemoteError(
                    f"{self.url}: no release {name} {version} (no tag {tag}): list them with "
                    "`cookbook-tool releases`"
                )
            ws.fetch(RemoteRefs(None, refs.tags), tag)
            record = next(iter(ws.tag_records(tag)), None)
            if record is None or not is_release_tag(name, self._tags, record):
                raise RemoteError(f"{self.url}: tag {tag} is not a release made by cookbook-tool")
            write_archive(ws.archive(record.tree), path)
            rebuilt = build_tree(open_artifact(path), ws.objects).sha
        if rebuilt != record.tree:
            raise RemoteError(
                f"{self.url}: the archive rebuilt from tag {tag} does not give its tree back "
                f"({rebuilt[:12]} vs {record.tree[:12]}): nothing promoted"
            )
        return path

    def releases(self, name: str) -> list[Release]:
        glob = self._tags.glob(name)
        with self._workspace() as ws:
            refs = ws.ls_remote(glob)
            if not refs.tags:
                return []
            refs = ws.fetch(refs, glob)
            tip_tree = ws.tree_of(refs.branch_tip) if refs.branch_tip else None
            records = ws.tag_records(glob)
        return releases_of(name, self._tags, records, refs.branch_tip, tip_tree)

    def rollback(self, name: str, version: str) -> Release:
        tag = self._tag(name, version)
        with self._workspace() as ws:
            return self._retrying(lambda: self._rollback_once(ws, name, tag))

    def prune(
        self,
        name: str,
        keep: int,
        *,
        dry_run: bool = False,
        planned: Sequence[str] | None = None,
    ) -> list[Release]:
        """Delete the release tags beyond the newest ``keep`` (never the current one). The
        commits stay in the branch's history; only the names that pin them go. With
        ``planned``, refuse when the tags now give another list."""
        doomed = prune_plan(self.releases(name), keep)
        if not dry_run:
            check_plan([r.version for r in doomed], planned, self.url)
        if dry_run or not doomed:
            return doomed
        refspecs = [f":refs/tags/{self._tag(name, r.version)}" for r in doomed]
        with self._workspace() as ws:
            ws.delete_refs(refspecs)
        return doomed

    def consumer_info(self, name: str, version: str | None = None) -> ConsumerInfo:
        if version is None:
            current = next((r for r in self.releases(name) if r.current), None)
            version = current.version if current else None
        if version is None:
            return consumer_info(self._target, None, None)
        tag = self._tag(name, version)
        with self._workspace() as ws:
            commit = ws.peeled_tag(tag)
        if commit is None:
            raise RemoteError(f"{self.url}: no release {name} {version} (tag {tag})")
        return consumer_info(self._target, tag, commit)

    # -- steps --------------------------------------------------------------------------------

    def _publish_once(
        self, ws: Workspace, artifact: Artifact, built: BuiltTree, tag: str, force_current: bool
    ) -> PublishResult | None:
        """One attempt; ``None`` when the remote moved under us and it must be retried."""
        refs = ws.ls_remote(tag)
        exists = tag in refs.tags
        refs = ws.fetch(refs, *([tag] if exists else []))
        tip, tip_tree = refs.branch_tip, ws.tree_of(refs.branch_tip) if refs.branch_tip else None
        if exists:
            return self._existing(ws, artifact, built.sha, tag, tip, tip_tree, force_current)
        tip_message = ws.commit_message(tip) if tip else ""
        fields = {**release_fields(artifact, self._origin),
                  "serial": str(serial_of(tip_message) + 1)}
        older = _older(artifact.version, parse_fields(tip_message).get("version"))
        move = force_current or not older
        refspecs = []
        if tip is not None and tip_tree == built.sha:
            commit = tip  # never an empty commit: tag the tip, which has this tree
        else:
            if move:
                self._check_branch(ws, tip)
            commit = self._commit(ws, built.sha, tip, "Release", fields)
            if move:
                refspecs.append(f"{commit}:refs/heads/{self._target.branch}")
        tag_id = ws.objects.write("tag", tag_object(commit, tag, self._signature(), fields))
        refspecs.append(f"{tag_id}:refs/tags/{tag}")
        if ws.push(refspecs) is PushOutcome.RACE:
            return None
        current = move or tip_tree == built.sha
        return self._result(artifact, tag, commit, built.content_bytes, current, False)

    def _existing(
        self,
        ws: Workspace,
        artifact: Artifact,
        tree: str,
        tag: str,
        tip: str | None,
        tip_tree: str | None,
        force_current: bool,
    ) -> PublishResult | None:
        """The tag exists: already published (maybe made current again), or a conflict."""
        if self._compare(ws, tag, artifact, tree) is ReleaseState.DIFFERENT:
            raise ReleaseConflict(
                f"{self.url}: {artifact.name} {artifact.version} is already published (tag "
                f"{tag}) with other content: release a new version; tags are never moved"
            )
        tag_tree = ws.tree_of(f"refs/tags/{tag}")
        commit = ws.run("rev-parse", f"refs/tags/{tag}^{{commit}}").strip()
        current = tip_tree == tag_tree
        if force_current and not current:
            fields = parse_fields(ws.tag_message(tag))
            self._check_branch(ws, tip)
            rollback = self._commit(ws, tag_tree, tip, "Roll back to", fields)
            if ws.push([f"{rollback}:refs/heads/{self._target.branch}"]) is PushOutcome.RACE:
                return None
            current = True
        return self._result(artifact, tag, commit, 0, current, True)

    def _rollback_once(self, ws: Workspace, name: str, tag: str) -> Release | None:
        refs = ws.ls_remote(tag)
        if tag not in refs.tags:
            raise RemoteError(
                f"{self.url}: no release tag {tag} to roll back to (see `cookbook-tool releases`)"
            )
        refs = ws.fetch(refs, tag)
        record = next(iter(ws.tag_records(tag)), None)
        if record is None or not is_release_tag(name, self._tags, record):
            raise RemoteError(
                f"{self.url}: tag {tag} is not a release tag made by cookbook-tool (not "
                "annotated, or its message names another release): nothing changed"
            )
        tip_tree = ws.tree_of(refs.branch_tip) if refs.branch_tip else None
        if tip_tree != record.tree:
            fields = parse_fields(record.message)
            self._check_branch(ws, refs.branch_tip)
            commit = self._commit(ws, record.tree, refs.branch_tip, "Roll back to", fields)
            if ws.push([f"{commit}:refs/heads/{self._target.branch}"]) is PushOutcome.RACE:
                return None
        return to_release(name, self._tags, record, True)

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

    def _workspace(self) -> AbstractContextManager[Workspace]:
        setup = git_setup(self._target, self._options, self._environ)
        return workspace(setup, self._environ)

    def _check_branch(self, ws: Workspace, tip: str | None) -> None:
        """Refuse to move a branch that holds commits not made by cookbook-tool (an app's
        ``main``): the release commit's tree would replace everything at its tip."""
        if tip is None or self._allow_foreign:
            return
        header, _, message = ws.run("cat-file", "commit", tip).partition("\n\n")
        has_parent = any(line.startswith("parent ") for line in header.splitlines())
        if has_foreign_history(message, has_parent):
            branch = self._target.branch
            raise RemoteError(
                f"{self.url}: branch {branch} holds commits not made by cookbook-tool (tip "
                f"{tip[:12]}): a release commit would replace its whole tree (its files gone "
                "from the tip); publish to a branch of its own (the default is 'cookbooks', "
                "URL#cookbooks) or pass --allow-foreign-branch; nothing was pushed"
            )

    def _signature(self) -> Signature:
        return signature(self._options, self._environ)

    def _tag(self, name: str, version: str) -> str:
        return check_ref_name("tag", self._tags.tag(name, version))

    def _commit(
        self, ws: Workspace, tree: str, parent: str | None, verb: str, fields: dict[str, str]
    ) -> str:
        """A commit of ``tree`` on ``parent``; its serial is one more than the parent's."""
        message = ws.commit_message(parent) if parent else ""
        serial = serial_of(message) + 1 if parent else 1
        fields = {k: v for k, v in fields.items() if k != FOREIGN_BASE}
        fields["serial"] = str(serial)
        if parent and not is_own_commit(message):  # allowed by --allow-foreign-branch
            fields[FOREIGN_BASE] = parent
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
        self, artifact: Artifact, tag: str, commit: str, size: int, current: bool, already: bool
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
            consumer=consumer_info(self._target, tag, commit),
        )


def _older(version: str, current: str | None) -> bool:
    """True when ``version`` is older than the current release's version (both Chef versions)."""
    mine, theirs = version_key(version), version_key(current)
    return mine is not None and theirs is not None and mine < theirs
