"""Dockerfile rules (DF###). Each family module lists its rules; the registry collects them."""
