"""Community cookbooks: declared in ``cookbook-tool.toml``, resolved, locked in
``cookbook-tool.lock`` and vendored into the bundle (docs/dependencies.md).

Pure modules (no network, no subprocess): ``declared`` (the ``[sources]``/``[dependencies]``
tables), ``universe`` (a Supermarket ``/universe`` document as untrusted input), ``resolve``
(resolvelib over Chef's constraints), ``lockfile`` (read, write and check the lock). The edge:
``sources`` (HTTP and git downloads, path sources), ``cache`` (the download cache), ``vendor``
(locked cookbooks for the bundle) and ``locking`` (the ``lock`` command). ``validate`` imports
only the pure modules (``.importlinter``).
"""
