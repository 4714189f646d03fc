"""GridStation: the neighbourhood reception desk (民情快办工作站) and its sub-district server."""

__version__ = "0.1.0"
