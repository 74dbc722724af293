"""Renderers: one per output format, sharing :class:`reviewer.report.base.Renderer`."""
