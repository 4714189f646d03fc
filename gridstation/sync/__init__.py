"""Station-side sync with the sub-district server."""
