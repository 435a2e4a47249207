"""vidkit's command line: thin click commands over the :mod:`vidkit` library."""
