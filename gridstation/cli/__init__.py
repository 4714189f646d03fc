"""Command line: start the desk, create a demo station, list cases, back up, restore and import."""
