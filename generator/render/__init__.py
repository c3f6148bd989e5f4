"""Renderers: each output format is its own module over :mod:`generator.render.document`."""
