"""The tools that measure the product, kept apart from it: evaluation, benchmark, soak."""
