"""Package data: the peak-day calendar."""
