"""One module per family of `gridstation` commands; each handler takes the parsed arguments and returns the exit
status. `imports.py` holds `gridstation import` (`import` is a Python keyword); `desk.py` starts the desk when no
command is given."""
