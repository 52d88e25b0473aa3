"""lrlib: the learning rate in gradient-based optimization, in numpy."""
