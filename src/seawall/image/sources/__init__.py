"""Where image bytes come from: archives and layouts on disk, the Docker daemon, registries."""
