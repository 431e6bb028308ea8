"""Trained model files shipped with shequn (JSON, read with the standard library; no pickles)."""
