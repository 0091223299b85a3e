"""Publishers: put a bundle where layers read it (a folder, S3, a Git remote)."""
