"""Loading targets from disk and checking them: discovery, Dockerfiles, Compose projects."""
