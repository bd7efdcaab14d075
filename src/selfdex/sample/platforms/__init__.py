"""One writer module per platform; see :mod:`selfdex.sample.generate`."""
