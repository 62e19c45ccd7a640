"""The ``deepworkzone`` command."""
