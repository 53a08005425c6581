"""Reading built images: sources (archive, OCI layout, daemon, registry), layer merge, inventory.

Entry point: :func:`seawall.image.load.load_image`. Nothing here extracts to disk or executes
anything found in an image; layers are streamed and only small files of interest are kept.
"""
