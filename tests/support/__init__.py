"""What test modules share: fixtures (registered in conftest.py through `pytest_plugins`) and helpers.

Test modules import helpers from here only, never from another test module or from conftest.py.
"""
