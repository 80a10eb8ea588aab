"""Stage 3, in the child: find the trained models by type, export each to ONNX by its framework's
route (registry.py), and check the file against the model on a real sample (parity.py)."""
