"""The last stage: wrap rendered pages in the Material theme via MkDocs and publish atomically."""
